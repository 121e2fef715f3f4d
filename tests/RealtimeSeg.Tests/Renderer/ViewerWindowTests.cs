using RealtimeSeg.Renderer;
using RealtimeSeg.Renderer.Native;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>A real GLFW window on an X display (Xvfb), drawn by the overlay and captured with its screenshot key.</summary>
public sealed class ViewerWindowTests
{
    private static readonly LabelMap Labels = new(["background", "thing"], "test");

    [Fact]
    public void AWindowOpensDrawsTheOverlayAndSavesAScreenshot()
    {
        XvfbDisplay.Ensure();
        using var dir = Fixtures.TempDir();
        using var frame = Frame.Allocate(320, 240, PixelFormat.Rgb24);
        frame.Pixels.Fill(128);
        var instances = new InstanceSet(Labels);
        instances.Reset(320, 240, MaskKind.Bitmap);
        instances.StoredBitmap(instances.Add(new BoxF(90, 50, 190, 150), 0.9f, 1)).Reset(new PixelRect(100, 60, 180, 140)).Fill(1);

        using var viewer = new ViewerWindow("RealtimeSeg test", 640, 480, vsync: false);
        viewer.Options = viewer.Options with { Colours = ColourMode.PerClass, Palette = [0x000000, 0x00FF00], Hud = true };
        viewer.ScreenshotFolder = dir.Path;
        viewer.Show(SegmentationResult.Create(frame, instances));
        Assert.Equal((640, 480), viewer.FramebufferSize);
        for (int i = 0; i < 3; i++)
        {
            viewer.RenderFrame(new HudInfo(60, 14, 45, "cpu", 0));
        }
        viewer.HandleKey(Glfw.KeyS);
        viewer.RenderFrame(new HudInfo(60, 14, 45, "cpu", 0));
        Assert.NotNull(viewer.LastScreenshot);

        using var shot = Png.Read(viewer.LastScreenshot!);
        Assert.Equal((640, 480), (shot.Width, shot.Height));
        // The 320x240 frame fills the window at scale 2: the mask interior (140,100) is at (280,200).
        var inside = shot.Row(200).Slice(280 * 3, 3).ToArray();
        Assert.True(inside[1] > 170 && inside[0] < 90 && inside[2] < 90, $"mask interior is ({inside[0]},{inside[1]},{inside[2]}), expected green over grey");
        var outside = shot.Row(440).Slice(600 * 3, 3).ToArray();
        Assert.Equal(new byte[] { 128, 128, 128 }, outside);
        // The HUD panel sits at the top left.
        var hud = shot.Row(8).Slice(8 * 3, 3).ToArray();
        Assert.True(hud[0] < 80, $"HUD panel pixel ({hud[0]},{hud[1]},{hud[2]}) should be dark");
    }

    [Fact]
    public void LiveModeShowsTheNewestFrameWithTheMaskMovedToItsTime()
    {
        XvfbDisplay.Ensure();
        using var dir = Fixtures.TempDir();
        using var seen = Frame.Allocate(320, 240, PixelFormat.Rgb24);
        seen.Pixels.Fill(128);
        seen.Timestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        var instances = new InstanceSet(Labels);
        instances.Reset(320, 240, MaskKind.Bitmap);
        instances.StoredBitmap(instances.Add(new BoxF(90, 50, 190, 150), 0.9f, 1)).Reset(new PixelRect(100, 60, 180, 140)).Fill(1);
        instances.WritableTrackIds()[0] = 1;
        instances.WritableVelocities()[0] = new BoxVelocity(200, 0, 0, 0); // 200 frame px/s to the right
        using var newest = Frame.Allocate(320, 240, PixelFormat.Rgb24);
        newest.Pixels.Fill(200);
        newest.Timestamp = seen.Timestamp + System.Diagnostics.Stopwatch.Frequency / 4; // 0.25 s later: 50 px on

        using var viewer = new ViewerWindow("RealtimeSeg live test", 640, 480, vsync: false);
        viewer.Options = viewer.Options with { Colours = ColourMode.PerClass, Palette = [0x000000, 0x00FF00], Hud = false, Outlines = false, Boxes = false, Labels = false };
        viewer.ScreenshotFolder = dir.Path;
        viewer.Show(SegmentationResult.Create(seen, instances));
        viewer.ShowFrame(newest.Retain());
        viewer.HandleKey(Glfw.KeyS);
        viewer.RenderFrame();
        using var shot = Png.Read(viewer.LastScreenshot!);
        // Window scale 2. The picture is the newest frame; the mask, once frame x 100-180, is now at 150-230.
        byte[] Pixel(int fx, int fy) => shot.Row(fy * 2).Slice(fx * 2 * 3, 3).ToArray();
        Assert.Equal(new byte[] { 200, 200, 200 }, Pixel(120, 100));  // where the mask was: the new frame, bare
        var moved = Pixel(210, 100);
        Assert.True(moved[1] > moved[0] + 40 && moved[1] > moved[2] + 40, $"moved mask pixel ({moved[0]},{moved[1]},{moved[2]}) should be green over the new frame");
        Assert.Equal(new byte[] { 200, 200, 200 }, Pixel(300, 220));
    }

    [Fact]
    public void KeysToggleLayersPauseAndQuit()
    {
        XvfbDisplay.Ensure();
        using var viewer = new ViewerWindow("RealtimeSeg keys", 320, 240, vsync: false, visible: false);
        var start = viewer.Options;
        viewer.HandleKey(Glfw.KeyM);
        viewer.HandleKey(Glfw.KeyB);
        viewer.HandleKey(Glfw.KeyL);
        viewer.HandleKey(Glfw.KeyH);
        viewer.HandleKey(Glfw.KeySpace);
        Assert.Equal((!start.Masks, !start.Boxes, !start.Labels, !start.Hud), (viewer.Options.Masks, viewer.Options.Boxes, viewer.Options.Labels, viewer.Options.Hud));
        Assert.True(viewer.Paused);
        Assert.False(viewer.ShouldClose);
        viewer.HandleKey(Glfw.KeyQ);
        Assert.True(viewer.ShouldClose);
    }
}
