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
