using RealtimeSeg.Renderer;
using RealtimeSeg.Renderer.Graphics;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;
using Silk.NET.OpenGL;
using PixelFormat = RealtimeSeg.Runtime.Imaging.PixelFormat;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>
/// Hostile GL state a host may leave behind (pixel-store skips, a bound unpack buffer, polygon mode, logic op,
/// rasterizer discard, alpha to coverage, a pending error): the overlay draws the picture it draws on a clean
/// context, every time, and gives the host its state back.
/// </summary>
public sealed class HostGlStateTests : IDisposable
{
    private static readonly LabelMap Labels = new(["background", "thing", "other"], "test");
    private readonly EglContext _context = new(debug: true);

    private GL Gl => _context.Gl;

    public void Dispose() => _context.Dispose();

    /// <summary>A picture whose every row and column differs, so a skipped row or pixel shows.</summary>
    private static Frame Gradient(PixelFormat format)
    {
        var frame = Frame.Allocate(320, 240, format);
        if (format == PixelFormat.Yuv420)
        {
            for (int plane = 0; plane < 3; plane++)
            {
                var pixels = frame.Plane(plane);
                int stride = frame.PlaneStride(plane), rows = plane == 0 ? 240 : 120;
                for (int y = 0; y < rows; y++)
                {
                    for (int x = 0; x < stride; x++)
                    {
                        pixels[y * stride + x] = (byte)(plane == 0 ? 16 + (x + 2 * y) % 220 : 64 + (plane * 37 + x * 3 + y * 5) % 128);
                    }
                }
            }
            return frame;
        }
        for (int y = 0; y < 240; y++)
        {
            var row = frame.Row(y);
            for (int x = 0; x < 320; x++)
            {
                row[3 * x] = (byte)x;
                row[3 * x + 1] = (byte)(y * 2);
                row[3 * x + 2] = (byte)((x + y) * 3);
            }
        }
        return frame;
    }

    /// <summary>A bitmap square and a raw soft disc: both mask uploads (R8 bitmaps and float raw masks).</summary>
    private static (InstanceSet Bitmaps, InstanceSet Raw) Instances()
    {
        var bitmaps = new InstanceSet(Labels);
        bitmaps.Reset(320, 240, MaskKind.Bitmap);
        int k = bitmaps.Add(new BoxF(90, 50, 190, 150), 0.97f, 1);
        bitmaps.StoredBitmap(k).Reset(new PixelRect(100, 60, 180, 140)).Fill(1);
        var raw = new InstanceSet(Labels);
        raw.Reset(320, 240, MaskKind.Raw, 28);
        for (int i = 0; i < 3; i++)
        {
            var mask = raw.WritableRawMask(raw.Add(new BoxF(20 + 90 * i, 40 + 30 * i, 110 + 90 * i, 150 + 30 * i), 0.9f, 1 + i % 2));
            for (int y = 0; y < 28; y++)
            {
                for (int x = 0; x < 28; x++)
                {
                    float dx = (x + 0.5f) / 28 - 0.5f, dy = (y + 0.5f) / 28 - 0.5f;
                    mask[y * 28 + x] = Math.Clamp(1.5f - 4f * MathF.Sqrt(dx * dx + dy * dy), 0f, 1f) * (0.5f + 0.5f * x / 28f);
                }
            }
        }
        return (bitmaps, raw);
    }

    private static OverlayOptions Options(bool pixelBuffers) => new() { Hud = true, UsePixelBuffers = pixelBuffers };

    /// <summary>Draws every frame format and mask kind, reading each picture back, on one overlay.</summary>
    private List<byte[]> DrawAll(OverlayRenderer overlay, OffscreenTarget target, bool pixelBuffers, Action? hostState = null)
    {
        var (bitmaps, raw) = Instances();
        var pictures = new List<byte[]>();
        using var image = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        foreach (var format in new[] { PixelFormat.Rgb24, PixelFormat.Yuv420 })
        {
            using var frame = Gradient(format);
            foreach (var instances in new[] { bitmaps, raw })
            {
                target.Clear();
                hostState?.Invoke();
                overlay.Draw(frame, instances, target.Viewport, Options(pixelBuffers));
                ResetPixelStore();
                target.ReadPixels(image);
                pictures.Add(image.Pixels.ToArray());
            }
        }
        return pictures;
    }

    private List<byte[]> CleanPictures(bool pixelBuffers)
    {
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240);
        return DrawAll(overlay, target, pixelBuffers);
    }

    private void ResetPixelStore()
    {
        foreach (var p in new[] { PixelStoreParameter.UnpackSkipRows, PixelStoreParameter.UnpackSkipPixels, PixelStoreParameter.UnpackSkipImages,
            PixelStoreParameter.UnpackImageHeight, PixelStoreParameter.UnpackSwapBytes, PixelStoreParameter.UnpackRowLength,
            PixelStoreParameter.PackSkipRows, PixelStoreParameter.PackSkipPixels, PixelStoreParameter.PackSwapBytes })
        {
            Gl.PixelStore(p, 0);
        }
        Gl.PixelStore(PixelStoreParameter.UnpackAlignment, 4);
        Gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, 0);
        Gl.PolygonMode(TriangleFace.FrontAndBack, PolygonMode.Fill);
        Gl.Disable(EnableCap.ColorLogicOp);
        Gl.Disable(EnableCap.RasterizerDiscard);
        Gl.Disable(EnableCap.SampleAlphaToCoverage);
    }

    private static void AssertSamePictures(List<byte[]> expected, List<byte[]> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            int differing = 0;
            for (int b = 0; b < expected[i].Length; b++)
            {
                differing += expected[i][b] != actual[i][b] ? 1 : 0;
            }
            Assert.True(differing == 0, $"{what}: picture {i} (frame {(i < 2 ? "RGB" : "YUV")}, {(i % 2 == 0 ? "bitmap" : "raw")} masks) differs from the clean-state draw in {differing} bytes");
        }
    }

    public static TheoryData<string, int, bool> PixelStoreValues => new()
    {
        { nameof(PixelStoreParameter.UnpackSkipRows), 4000, false },
        { nameof(PixelStoreParameter.UnpackSkipRows), 3, true },
        { nameof(PixelStoreParameter.UnpackSkipPixels), 37, false },
        { nameof(PixelStoreParameter.UnpackSkipPixels), 5, true },
        { nameof(PixelStoreParameter.UnpackSkipImages), 64, false },
        { nameof(PixelStoreParameter.UnpackImageHeight), 7, false },
        { nameof(PixelStoreParameter.UnpackSwapBytes), 1, false },
        { nameof(PixelStoreParameter.UnpackSwapBytes), 1, true },
    };

    [Theory]
    [MemberData(nameof(PixelStoreValues))]
    public void HostPixelStoreStateDoesNotReachTheUploads(string parameter, int value, bool pixelBuffers)
    {
        var clean = CleanPictures(pixelBuffers);
        var name = Enum.Parse<PixelStoreParameter>(parameter);
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240);
        var hostile = DrawAll(overlay, target, pixelBuffers, () => Gl.PixelStore(name, value));
        AssertSamePictures(clean, hostile, $"{parameter}={value}");

        // The host's value is given back.
        target.Clear();
        Gl.PixelStore(name, value);
        var before = GlStateSnapshot.Capture(Gl);
        using (var frame = Gradient(PixelFormat.Rgb24))
        {
            overlay.Draw(frame, Instances().Raw, target.Viewport, Options(pixelBuffers));
        }
        Assert.Equal(before, GlStateSnapshot.Capture(Gl));
        Assert.Equal(value, Gl.GetInteger((GLEnum)name));
        ResetPixelStore();

        // And the same overlay, once the host's state is clean again, still draws the clean pictures.
        AssertSamePictures(clean, DrawAll(overlay, target, pixelBuffers), $"after {parameter}={value}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AHostUnpackBufferBoundAtTheFirstDrawIsSetAsideAndGivenBack(bool pixelBuffers)
    {
        var clean = CleanPictures(pixelBuffers);
        uint hostBuffer = Gl.GenBuffer();
        Gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, hostBuffer);
        unsafe
        {
            Gl.BufferData(BufferTargetARB.PixelUnpackBuffer, 64, null, BufferUsageARB.StreamDraw); // far smaller than any upload
        }
        // Created and first drawn with the host's buffer bound and rows skipped (the font atlas is uploaded at
        // creation): every texture allocation and upload must ignore both. Mesa crashed here before.
        Gl.PixelStore(PixelStoreParameter.UnpackSkipRows, 4000);
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240);
        Assert.Equal(4000, Gl.GetInteger(GLEnum.UnpackSkipRows));
        Assert.Equal((int)hostBuffer, Gl.GetInteger(GLEnum.PixelUnpackBufferBinding));
        var hostile = DrawAll(overlay, target, pixelBuffers, () =>
        {
            Gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, hostBuffer);
            Gl.PixelStore(PixelStoreParameter.UnpackSkipRows, 4000);
        });
        AssertSamePictures(clean, hostile, "host unpack buffer bound");
        Gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, hostBuffer);
        using (var frame = Gradient(PixelFormat.Yuv420))
        {
            overlay.Draw(frame, Instances().Raw, target.Viewport, Options(pixelBuffers));
        }
        Assert.Equal((int)hostBuffer, Gl.GetInteger(GLEnum.PixelUnpackBufferBinding));
        Gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, 0);
        Gl.DeleteBuffer(hostBuffer);
    }

    [Fact]
    public void AFailedDrawLeavesNothingStaleForTheNext()
    {
        var clean = CleanPictures(pixelBuffers: false);
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240);
        // More raw masks than a texture array has layers: the array's allocation fails (GL_INVALID_VALUE).
        int layers = Gl.GetInteger(GLEnum.MaxArrayTextureLayers);
        var tooMany = new InstanceSet(Labels);
        tooMany.Reset(320, 240, MaskKind.Raw, 28);
        for (int i = 0; i <= layers; i++)
        {
            tooMany.WritableRawMask(tooMany.Add(new BoxF(i % 300, 10, i % 300 + 8, 18), 0.9f, 1)).Fill(1f);
        }
        using (var frame = Gradient(PixelFormat.Rgb24))
        {
            target.Clear();
            var e = Assert.Throws<RendererException>(() => overlay.Draw(frame, tooMany, target.Viewport, Options(false)));
            Assert.Contains("GL_INVALID_VALUE", e.Message, StringComparison.Ordinal);
        }
        // The same overlay draws every picture right afterwards: the failed allocation is made again, not assumed.
        AssertSamePictures(clean, DrawAll(overlay, target, pixelBuffers: false), "after a failed draw");
    }

    public static TheoryData<string> RasterStates => ["polygon-line", "logic-op-xor", "rasterizer-discard", "alpha-to-coverage"];

    [Theory]
    [MemberData(nameof(RasterStates))]
    public void RasterStateOutsideTheBlendIsSetForTheDrawAndRestored(string state)
    {
        var clean = CleanPictures(pixelBuffers: false);
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240);
        void Hostile()
        {
            switch (state)
            {
                case "polygon-line": Gl.PolygonMode(TriangleFace.FrontAndBack, PolygonMode.Line); break;
                case "logic-op-xor": Gl.Enable(EnableCap.ColorLogicOp); Gl.LogicOp(LogicOp.Xor); break;
                case "rasterizer-discard": Gl.Enable(EnableCap.RasterizerDiscard); break;
                case "alpha-to-coverage": Gl.Enable(EnableCap.SampleAlphaToCoverage); break;
            }
        }
        var hostile = DrawAll(overlay, target, pixelBuffers: false, Hostile);
        AssertSamePictures(clean, hostile, state);

        target.Clear();
        Hostile();
        var before = GlStateSnapshot.Capture(Gl);
        using (var frame = Gradient(PixelFormat.Rgb24))
        {
            overlay.Draw(frame, Instances().Bitmaps, target.Viewport, Options(false));
        }
        Assert.Equal(before, GlStateSnapshot.Capture(Gl));
        switch (state)
        {
            case "polygon-line": Assert.Equal((int)PolygonMode.Line, Gl.GetInteger(GLEnum.PolygonMode)); break;
            case "logic-op-xor": Assert.True(Gl.IsEnabled(EnableCap.ColorLogicOp)); Assert.Equal((int)LogicOp.Xor, Gl.GetInteger(GLEnum.LogicOpMode)); break;
            case "rasterizer-discard": Assert.True(Gl.IsEnabled(EnableCap.RasterizerDiscard)); break;
            case "alpha-to-coverage": Assert.True(Gl.IsEnabled(EnableCap.SampleAlphaToCoverage)); break;
        }
        ResetPixelStore();
    }

    [Fact]
    public void AnErrorTheHostLeftPendingIsTheHostsNotTheOverlays()
    {
        Gl.Enable((EnableCap)0x7FFF); // pending when the overlay is created: not the creation's failure
        using var overlay = new OverlayRenderer(Gl);
        Assert.Equal(GLEnum.InvalidEnum, overlay.LastHostGlError);
        using var target = new OffscreenTarget(Gl, 320, 240);
        using var frame = Gradient(PixelFormat.Rgb24);
        var messages = new List<string>();
        _context.DebugMessage += messages.Add;
        target.Bind();
        Gl.Enable((EnableCap)0x7FFF); // the host's own mistake: GL_INVALID_ENUM, left pending
        overlay.Draw(frame, Instances().Bitmaps, target.Viewport);
        Assert.Equal(GLEnum.InvalidEnum, overlay.LastHostGlError);
        Assert.Contains(messages, m => m.Contains("GL_INVALID_ENUM", StringComparison.Ordinal) || m.Contains("glEnable", StringComparison.Ordinal));

        overlay.Draw(frame, Instances().Bitmaps, target.Viewport);
        Assert.Equal(GLEnum.NoError, overlay.LastHostGlError); // per draw: the next clean draw has none

        // The overlay's own error is still its own, and says so.
        Gl.BindFramebuffer(FramebufferTarget.Framebuffer, 0);
        var e = Assert.Throws<RendererException>(() => overlay.Draw(frame, Instances().Bitmaps, new Viewport(0, 0, 320, 240)));
        Assert.Contains("GL_INVALID_FRAMEBUFFER_OPERATION", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("host", e.Message, StringComparison.Ordinal);
        Gl.Enable((EnableCap)0x7FFF);
        e = Assert.Throws<RendererException>(() => overlay.Draw(frame, Instances().Bitmaps, new Viewport(0, 0, 320, 240)));
        Assert.Contains("the host had left GL_INVALID_ENUM pending before the draw", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DrawingWithNoContextCurrentFailsWithTheGlError()
    {
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240);
        using var frame = Gradient(PixelFormat.Rgb24);
        target.Bind();
        overlay.Draw(frame, Instances().Bitmaps, target.Viewport);

        // Another thread, where no context is current.
        Exception? elsewhere = null;
        var thread = new Thread(() => elsewhere = Record.Exception(() => overlay.Draw(frame, Instances().Bitmaps, new Viewport(0, 0, 320, 240))));
        thread.Start();
        thread.Join();
        Assert.IsType<RendererException>(elsewhere);
        Assert.Contains("no OpenGL context is current on this thread", elsewhere!.Message, StringComparison.Ordinal);

        // This thread, after the host released its context.
        _context.ReleaseCurrent();
        try
        {
            var e = Assert.Throws<RendererException>(() => overlay.Draw(frame, Instances().Bitmaps, new Viewport(0, 0, 320, 240)));
            Assert.Contains("no OpenGL context is current on this thread", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            _context.MakeCurrent();
        }
        target.Bind();
        overlay.Draw(frame, Instances().Bitmaps, target.Viewport); // and draws again once it is
    }
}
