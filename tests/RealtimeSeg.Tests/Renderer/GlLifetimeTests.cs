using RealtimeSeg.Renderer;
using RealtimeSeg.Renderer.Graphics;
using RealtimeSeg.Renderer.Native;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;
using Silk.NET.OpenGL;
using PixelFormat = RealtimeSeg.Runtime.Imaging.PixelFormat;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>What a host engine needs of the renderer's GL lifetimes: no process-wide GL state, deletion on the GL thread only, idempotent dispose.</summary>
public sealed class GlLifetimeTests
{
    private static readonly LabelMap Labels = new(["background", "thing"], "test");

    private static InstanceSet Square()
    {
        var set = new InstanceSet(Labels);
        set.Reset(64, 48, MaskKind.Bitmap);
        set.StoredBitmap(set.Add(new BoxF(16, 12, 48, 36), 0.9f, 1)).Reset(new PixelRect(20, 16, 44, 32)).Fill(1);
        return set;
    }

    private static Frame Grey()
    {
        var frame = Frame.Allocate(64, 48, PixelFormat.Rgb24);
        frame.Pixels.Fill(100);
        return frame;
    }

    [Fact]
    public void DisposeOnAnotherThreadDefersTheDeletionToTheGlThreadsNextDraw()
    {
        using var context = new EglContext();
        var gl = context.Gl;
        using var frame = Grey();
        using var survivor = new OverlayRenderer(gl);
        using var target = new OffscreenTarget(gl, 64, 48);
        var doomed = new OverlayRenderer(gl);
        var doomedTarget = new OffscreenTarget(gl, 64, 48);
        var textures = LiveTextures(gl);

        // Another thread (a finalizer, a DI container, a UI thread) has no GL context current: nothing may be called there.
        var worker = new Thread(() => { doomed.Dispose(); doomedTarget.Dispose(); });
        worker.Start();
        worker.Join();
        int queued = GlDeletions.Count(gl);
        Assert.True(queued >= 15, $"{queued} GL objects queued"); // 3 programs, 4 buffers, 2 VAOs, 4 textures, 4 queries, ... of the overlay alone
        Assert.Equal(textures, LiveTextures(gl)); // still alive: deleting them is the GL thread's job

        target.Bind();
        survivor.Draw(frame, Square(), target.Viewport); // the next draw on the context flushes the queue
        Assert.Equal(0, GlDeletions.Count(gl));
        Assert.Equal(textures - 7, LiveTextures(gl)); // the overlay's frame (3 planes), mask (2) and font textures, the target's colour texture
        Assert.Equal(GLEnum.NoError, gl.GetError());
    }

    [Fact]
    public void AnOverlayCollectedWithoutDisposeHasItsObjectsDeletedAtTheContextsNextDraw()
    {
        using var context = new EglContext();
        var gl = context.Gl;
        using var frame = Grey();
        using var survivor = new OverlayRenderer(gl);
        using var target = new OffscreenTarget(gl, 64, 48);
        int textures = LiveTextures(gl);
        DrawAndForget(gl, frame, target); // a host that never disposes its overlay or target
        Assert.Equal(textures + 7, LiveTextures(gl));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        int queued = GlDeletions.Count(gl);
        Assert.True(queued >= 15, $"{queued} GL objects queued by the finalizers");
        target.Bind();
        survivor.Draw(frame, Square(), target.Viewport);
        Assert.Equal(0, GlDeletions.Count(gl));
        Assert.Equal(textures, LiveTextures(gl));
        Assert.Equal(GLEnum.NoError, gl.GetError());
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void DrawAndForget(GL gl, Frame frame, OffscreenTarget survivorTarget)
    {
        var overlay = new OverlayRenderer(gl);
        var target = new OffscreenTarget(gl, 64, 48);
        target.Bind();
        overlay.Draw(frame, Square(), target.Viewport);
        survivorTarget.Bind();
    }

    [Fact]
    public void DisposeTwiceIsHarmlessAndQueuesNothing()
    {
        using var context = new EglContext();
        var gl = context.Gl;
        var overlay = new OverlayRenderer(gl);
        var target = new OffscreenTarget(gl, 32, 32, ReadbackFormat.Yuv420);
        int textures = LiveTextures(gl);
        overlay.Dispose();
        target.Dispose();
        overlay.Dispose();
        target.Dispose();
        Assert.Equal(0, GlDeletions.Count(gl));
        Assert.Equal(textures - 8, LiveTextures(gl)); // as above, and the YUV target's conversion texture
        Assert.Equal(GLEnum.NoError, gl.GetError());
        Assert.Throws<ObjectDisposedException>(() => target.Bind());
        GlDeletions.Flush(gl); // an explicit flush with nothing queued is a no-op
    }

    [Fact]
    public void TwoOverlaysInTwoContextsDrawInTurn()
    {
        using var frame = Grey();
        using var first = new EglContext();
        var firstOverlay = new OverlayRenderer(first.Gl);
        var firstTarget = new OffscreenTarget(first.Gl, 64, 48);
        using var second = new EglContext(); // now current on this thread
        var secondOverlay = new OverlayRenderer(second.Gl);
        var secondTarget = new OffscreenTarget(second.Gl, 64, 48);
        using var image = Frame.Allocate(64, 48, PixelFormat.Bgra32);
        for (int round = 0; round < 3; round++)
        {
            foreach (var (context, overlay, target, colour) in new[] { (first, firstOverlay, firstTarget, 0xFF0000), (second, secondOverlay, secondTarget, 0x0000FF) })
            {
                context.MakeCurrent();
                target.Bind();
                overlay.Draw(frame, Square(), target.Viewport, new OverlayOptions { Colours = ColourMode.PerClass, Palette = [0, colour], MaskAlpha = 1, Outlines = false, Boxes = false, Labels = false });
                target.ReadPixels(image);
                var inside = image.Row(24).Slice(32 * 4, 4);
                var outside = image.Row(4).Slice(4 * 4, 4);
                Assert.Equal(((colour >> 16) & 0xFF, colour & 0xFF), (inside[2], inside[0]));
                Assert.Equal((100, 100, 100), (outside[2], outside[1], outside[0]));
            }
        }
        first.MakeCurrent();
        firstTarget.Dispose();
        firstOverlay.Dispose();
        second.MakeCurrent();
        secondTarget.Dispose();
        secondOverlay.Dispose();
    }

    [Fact]
    public void AWindowNeverTerminatesAGlfwTheHostInitialised()
    {
        XvfbDisplay.Ensure();
        Glfw.EnsureLoaded();
        Assert.True(Glfw.Init()); // the host's own GLFW
        try
        {
            using (var window = new ViewerWindow("host's GLFW", 64, 48, vsync: false, visible: false))
            {
                window.RenderFrame();
            }
            Assert.True(Glfw.IsInitialized(), "the window terminated the host's GLFW");
        }
        finally
        {
            Glfw.Terminate();
        }
        Assert.False(Glfw.IsInitialized());
        using (var own = new ViewerWindow("our GLFW", 64, 48, vsync: false, visible: false))
        {
            own.RenderFrame();
            own.Dispose();
            own.Dispose(); // twice: harmless
        }
        Assert.False(Glfw.IsInitialized()); // the GLFW it started itself is gone with it
    }

    // Texture names that exist now (glIsTexture over the small name range a fresh context hands out).
    private static int LiveTextures(GL gl)
    {
        int live = 0;
        for (uint name = 1; name < 512; name++)
        {
            live += gl.IsTexture(name) ? 1 : 0;
        }
        return live;
    }
}
