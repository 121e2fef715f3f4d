using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Renderer;
using RealtimeSeg.Renderer.Graphics;
using RealtimeSeg.Renderer.Native;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;
using Silk.NET.OpenGL;
using PixelFormat = RealtimeSeg.Runtime.Imaging.PixelFormat;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>The overlay drawn by real shaders on Mesa's llvmpipe through EGL (no window), read back and checked pixel by pixel.</summary>
public sealed class OverlayRendererTests : IDisposable
{
    private static readonly LabelMap Labels = new(["background", "thing", "other"], "test");
    private readonly EglContext _context = new(debug: true);

    private GL Gl => _context.Gl;

    public void Dispose() => _context.Dispose();

    private static Frame Grey(int width, int height, byte value = 128)
    {
        var frame = Frame.Allocate(width, height, PixelFormat.Rgb24);
        frame.Pixels.Fill(value);
        return frame;
    }

    private static (byte R, byte G, byte B) Pixel(Frame bgra, int x, int y)
    {
        var row = bgra.Row(y);
        return (row[4 * x + 2], row[4 * x + 1], row[4 * x]);
    }

    private static void AssertPixel((int R, int G, int B) expected, Frame bgra, int x, int y, int tolerance = 2)
    {
        var (r, g, b) = Pixel(bgra, x, y);
        Assert.True(Math.Abs(r - expected.R) <= tolerance && Math.Abs(g - expected.G) <= tolerance && Math.Abs(b - expected.B) <= tolerance,
            $"pixel ({x},{y}) is ({r},{g},{b}), expected ({expected.R},{expected.G},{expected.B})");
    }

    private static InstanceSet SquareInstance()
    {
        var set = new InstanceSet(Labels);
        set.Reset(320, 240, MaskKind.Bitmap);
        int k = set.Add(new BoxF(90, 50, 190, 150), 0.97f, 1);
        set.StoredBitmap(k).Reset(new PixelRect(100, 60, 180, 140)).Fill(1);
        return set;
    }

    [Fact]
    public void MasksBoxesAndLabelsLandOnTheRightPixels()
    {
        using var frame = Grey(320, 240);
        var instances = SquareInstance();
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240);
        using var image = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        target.Clear();
        overlay.Draw(frame, instances, target.Viewport, new OverlayOptions { Colours = ColourMode.PerClass, Palette = [0x000000, 0xFF0000] });
        target.ReadPixels(image);
        Png.Write(Path.Combine(Path.GetTempPath(), "realtimeseg-overlay-test.png"), image);

        var blended = ((int)Math.Round(128 * 0.55 + 255 * 0.45), (int)Math.Round(128 * 0.55), (int)Math.Round(128 * 0.55));
        AssertPixel(blended, image, 140, 100);             // mask interior
        AssertPixel((128, 128, 128), image, 10, 230, 0);   // far outside: the frame, untouched
        AssertPixel((128, 128, 128), image, 95, 100, 0);   // between box and mask
        // Mask outline: two frame pixels at the mask's edge, opaque.
        AssertPixel((255, 0, 0), image, 100, 100);
        AssertPixel((255, 0, 0), image, 101, 100);
        AssertPixel(blended, image, 102, 100);
        AssertPixel((255, 0, 0), image, 179, 100);
        AssertPixel(blended, image, 177, 100);
        // Box: exactly 2 pixels wide on every side, at the box's edges.
        foreach (int x in new[] { 90, 91, 188, 189 })
        {
            AssertPixel((255, 0, 0), image, x, 120);
        }
        AssertPixel((128, 128, 128), image, 92, 120, 0);
        AssertPixel((128, 128, 128), image, 187, 55, 0);
        AssertPixel((128, 128, 128), image, 89, 120, 0);
        AssertPixel((128, 128, 128), image, 190, 120, 0);
        foreach (int y in new[] { 50, 51, 148, 149 })
        {
            AssertPixel((255, 0, 0), image, 120, y);
        }
        AssertPixel((128, 128, 128), image, 120, 52, 0);
        AssertPixel((128, 128, 128), image, 120, 150, 0);
        // Label chip above the box: red chip with white text ("thing 0.97").
        int chip = 0, ink = 0;
        for (int y = 32; y < 50; y++)
        {
            for (int x = 90; x < 200; x++)
            {
                var (r, g, b) = Pixel(image, x, y);
                chip += r > 200 && g < 60 ? 1 : 0;
                ink += r > 240 && g > 240 && b > 240 ? 1 : 0;
            }
        }
        Assert.True(chip > 500, $"{chip} chip pixels above the box");
        Assert.True(ink > 60, $"{ink} text pixels on the chip");
    }

    [Fact]
    public void TogglesAndFiltersAreIndependent()
    {
        using var frame = Grey(320, 240);
        var instances = SquareInstance();
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240);
        using var image = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        var red = new OverlayOptions { Colours = ColourMode.PerClass, Palette = [0x000000, 0xFF0000] };
        target.Bind();

        overlay.Draw(frame, instances, target.Viewport, red with { Masks = false, Labels = false });
        target.ReadPixels(image);
        AssertPixel((128, 128, 128), image, 140, 100, 0);  // no mask
        AssertPixel((255, 0, 0), image, 90, 120);          // box still drawn
        AssertPixel((128, 128, 128), image, 120, 40, 0);   // no chip

        overlay.Draw(frame, instances, target.Viewport, red with { Boxes = false, Labels = false, Outlines = false });
        target.ReadPixels(image);
        AssertPixel((128, 128, 128), image, 90, 120, 0);   // no box
        Assert.NotEqual((byte)255, Pixel(image, 100, 100).R); // no outline: the edge is blended like the interior

    }

    [Fact]
    public unsafe void HostGlStateIsIdenticalAfterDrawAndThePictureIsRight()
    {
        using var frame = Grey(320, 240);
        var instances = SquareInstance();
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240);
        using var reference = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        using var image = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        var options = new OverlayOptions { Hud = true, MeasureGpuTime = true, UsePixelBuffers = true };
        target.Bind();
        overlay.Draw(frame, instances, target.Viewport, options);
        target.ReadPixels(reference); // the picture with GL's default state

        // A host's state, deliberately unlike the overlay's: samplers on both units (a mipmapped min filter would
        // make our textures incomplete: black), red writes masked off, sRGB writes on, an odd blend, textures,
        // program, VAO, buffer, depth/cull/scissor, viewport and pixel-store values.
        uint hostTexture = Gl.GenTexture(), hostArray = Gl.GenTexture(), hostVao = Gl.GenVertexArray(), hostBuffer = Gl.GenBuffer();
        uint sampler0 = Gl.GenSampler(), sampler1 = Gl.GenSampler();
        Gl.SamplerParameter(sampler0, SamplerParameterI.MinFilter, (int)GLEnum.LinearMipmapLinear);
        Gl.SamplerParameter(sampler1, SamplerParameterI.MinFilter, (int)GLEnum.NearestMipmapNearest);
        var hostProgram = ShaderProgram.Build(Gl, "host", "void main() { gl_Position = vec4(0.0); }", "out vec4 c; void main() { c = vec4(1.0); }");
        Gl.ActiveTexture(TextureUnit.Texture1);
        Gl.BindTexture(TextureTarget.Texture2D, hostTexture);
        Gl.BindTexture(TextureTarget.Texture2DArray, hostArray);
        Gl.ActiveTexture(TextureUnit.Texture0);
        Gl.BindSampler(0, sampler0);
        Gl.BindSampler(1, sampler1);
        Gl.UseProgram(hostProgram.Handle);
        Gl.BindVertexArray(hostVao);
        Gl.BindBuffer(BufferTargetARB.ArrayBuffer, hostBuffer);
        Gl.Enable(EnableCap.DepthTest);
        Gl.Enable(EnableCap.CullFace);
        Gl.Enable(EnableCap.ScissorTest);
        Gl.Enable(EnableCap.FramebufferSrgb);
        Gl.ColorMask(false, true, true, true);
        Gl.Scissor(3, 4, 50, 60);
        Gl.Viewport(7, 8, 100, 90);
        Gl.Enable(EnableCap.Blend);
        Gl.BlendFuncSeparate(BlendingFactor.One, BlendingFactor.One, BlendingFactor.Zero, BlendingFactor.One);
        Gl.BlendEquationSeparate(BlendEquationModeEXT.FuncReverseSubtract, BlendEquationModeEXT.Max);
        Gl.PixelStore(PixelStoreParameter.UnpackAlignment, 8);
        Gl.PixelStore(PixelStoreParameter.UnpackRowLength, 17);
        var before = GlStateSnapshot.Capture(Gl);

        target.Clear();
        Gl.ColorMask(false, true, true, true); // Clear binds the target and resets the viewport only
        Gl.Viewport(7, 8, 100, 90);
        before = GlStateSnapshot.Capture(Gl);
        overlay.Draw(frame, instances, new Viewport(0, 0, 320, 240), options);
        var after = GlStateSnapshot.Capture(Gl);

        Assert.Equal(before, after);
        Assert.Equal(hostProgram.Handle, (uint)after.Program);
        Assert.Equal(17, after.UnpackRowLength);
        Assert.Equal((int)sampler1, after.Sampler[1]);
        Assert.True(after.ScissorTest && after.DepthTest && after.Blend && after.FramebufferSrgb && after.ColorMask[0] == 0);
        // And the overlay drew exactly what it draws on a default context.
        Gl.ColorMask(true, true, true, true);
        Gl.Disable(EnableCap.FramebufferSrgb);
        Gl.BindSampler(0, 0);
        Gl.BindSampler(1, 0);
        target.ReadPixels(image);
        Assert.True(reference.Pixels.SequenceEqual(image.Pixels), "the host's state changed the overlay's picture");
        Gl.DeleteSampler(sampler0);
        Gl.DeleteSampler(sampler1);
        Gl.DeleteProgram(hostProgram.Handle);
    }

    [Fact]
    public void WithoutStateRestoreTheOverlayStillDrawsRightAndLeavesItsOwnState()
    {
        using var frame = Grey(320, 240);
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240);
        using var restored = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        using var raw = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        target.Bind();
        overlay.Draw(frame, SquareInstance(), target.Viewport);
        target.ReadPixels(restored);
        Gl.Enable(EnableCap.ScissorTest);
        overlay.Draw(frame, SquareInstance(), target.Viewport, OverlayOptions.Default with { RestoreHostState = false });
        Assert.False(Gl.IsEnabled(EnableCap.ScissorTest)); // the overlay's own state is left for the host to reset
        target.ReadPixels(raw);
        Assert.True(restored.Pixels.SequenceEqual(raw.Pixels));
    }

    [Fact]
    public void DrawingWithNoFramebufferBoundSaysWhatToDo()
    {
        using var frame = Grey(32, 24);
        using var overlay = new OverlayRenderer(Gl);
        Gl.BindFramebuffer(FramebufferTarget.Framebuffer, 0);
        var e = Assert.Throws<RendererException>(() => overlay.Draw(frame, new InstanceSet(Labels), new Viewport(0, 0, 32, 24)));
        Assert.Contains("bind a framebuffer, e.g. an OffscreenTarget, first", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AsynchronousReadbackReturnsWhatWasDrawnInOrder()
    {
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240);
        using var expected = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        using var first = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        using var second = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        using var grey = Grey(320, 240);
        using var white = Grey(320, 240, 255);

        target.Bind();
        overlay.Draw(grey, SquareInstance(), target.Viewport);
        target.ReadPixels(expected);
        Assert.True(target.BeginReadback(1));
        overlay.Draw(white, new InstanceSet(Labels), target.Viewport);
        Assert.True(target.BeginReadback(2));
        Assert.False(target.BeginReadback(3)); // both buffers in flight: the caller must collect first

        Assert.Equal(1, target.TryCompleteReadback(first, TimeSpan.FromSeconds(5)));
        Assert.Equal(2, target.TryCompleteReadback(second, TimeSpan.FromSeconds(5)));
        Assert.Equal(-1, target.TryCompleteReadback(second));
        Assert.True(expected.Pixels.SequenceEqual(first.Pixels), "the first readback differs from a synchronous read of the same picture");
        AssertPixel((255, 255, 255), second, 140, 100, 0);
    }

    [Fact]
    public void YuvReadbackMatchesABt601ConversionOfThePicture()
    {
        using var overlay = new OverlayRenderer(Gl);
        using var target = new OffscreenTarget(Gl, 320, 240, ReadbackFormat.Yuv420);
        using var bgra = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        using var yuv = Frame.Allocate(320, 240, PixelFormat.Yuv420);
        using var grey = Grey(320, 240, 90);
        target.Bind();
        overlay.Draw(grey, SquareInstance(), target.Viewport, new OverlayOptions { Colours = ColourMode.PerClass, Palette = [0x000000, 0x20C040] });
        target.ReadPixels(bgra);
        Assert.True(target.BeginReadback(7));
        Assert.Equal(7, target.TryCompleteReadback(yuv, TimeSpan.FromSeconds(5)));

        static double Y(double r, double g, double b) => 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
        static double U(double r, double g, double b) => 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255;
        static double V(double r, double g, double b) => 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255;
        int worst = 0;
        for (int y = 0; y < 240; y += 3)
        {
            for (int x = 0; x < 320; x += 3)
            {
                var (r, g, b) = Pixel(bgra, x, y);
                worst = Math.Max(worst, Math.Abs(yuv.Row(y)[x] - (int)Math.Round(Y(r, g, b))));
            }
        }
        // Chroma: the average of each 2x2 block, U plane then V plane, packed 320 bytes a row after the luma.
        var planes = yuv.Pixels[(320 * 240)..];
        for (int cy = 0; cy < 120; cy += 5)
        {
            for (int cx = 0; cx < 160; cx += 5)
            {
                double r = 0, g = 0, b = 0;
                foreach (var (dx, dy) in new[] { (0, 0), (1, 0), (0, 1), (1, 1) })
                {
                    var p = Pixel(bgra, 2 * cx + dx, 2 * cy + dy);
                    (r, g, b) = (r + p.R / 4.0, g + p.G / 4.0, b + p.B / 4.0);
                }
                worst = Math.Max(worst, Math.Abs(planes[cy * 160 + cx] - (int)Math.Round(U(r, g, b))));
                worst = Math.Max(worst, Math.Abs(planes[160 * 120 + cy * 160 + cx] - (int)Math.Round(V(r, g, b))));
            }
        }
        Assert.True(worst <= 1, $"YUV readback differs from the BT.601 conversion by up to {worst}");
    }

    [Fact]
    public void DriverDebugMessagesReachTheLogger()
    {
        var messages = new List<string>();
        void Collect(string m) => messages.Add(m);
        _context.DebugMessage += Collect;
        try
        {
            Gl.BindTexture((GLEnum)0x1234, 0); // not a texture target: the driver explains
            Assert.Equal(GLEnum.InvalidEnum, Gl.GetError());
        }
        finally
        {
            _context.DebugMessage -= Collect;
        }
        Assert.Contains(messages, m => m.Contains("GL_INVALID_ENUM", StringComparison.Ordinal) && m.Contains("glBindTexture", StringComparison.Ordinal));
    }

    [Fact]
    public void ABrokenShaderFailsWithTheCompilerLog()
    {
        var e = Assert.Throws<RendererException>(() => ShaderProgram.Build(Gl, "broken", "void main() { gl_Position = vec4(0.0); }", "out vec4 c;\nvoid main() { c = vec4(1.0) +; }"));
        Assert.Contains("shader broken.frag failed to compile", e.Message, StringComparison.Ordinal);
        Assert.Contains("error", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("2", e.Message, StringComparison.Ordinal); // the driver names the line
    }
}
