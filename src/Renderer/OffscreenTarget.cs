using RealtimeSeg.Renderer.Graphics;
using RealtimeSeg.Renderer.Native;
using RealtimeSeg.Runtime.Imaging;
using G = RealtimeSeg.Renderer.Native.Gl;

namespace RealtimeSeg.Renderer;

/// <summary>What <see cref="OffscreenTarget.BeginReadback"/> reads back.</summary>
public enum ReadbackFormat
{
    /// <summary>BGRA, 4 bytes a pixel, top row first.</summary>
    Bgra,
    /// <summary>
    /// Planar YUV 4:2:0 (BT.601 limited range), converted by a shader before the copy: 1.5 bytes a pixel, as
    /// a <see cref="PixelFormat.Yuv420"/> frame in FFmpeg's yuv420p layout. Needs an even width and height.
    /// </summary>
    Yuv420,
}

/// <summary>
/// A framebuffer object with an RGBA8 colour texture, for drawing without a window (recording, screenshots,
/// tests). Reading back is asynchronous: <see cref="BeginReadback"/> starts a copy into one of two pixel-pack
/// buffers and sets a fence; <see cref="TryCompleteReadback"/> collects the oldest copy once its fence has
/// signalled, so the render loop never waits for the GPU. Frames come back as BGRA, top row first.
/// </summary>
public sealed unsafe class OffscreenTarget : IDisposable
{
    private readonly uint _framebuffer, _texture;
    private readonly uint[] _packBuffers = new uint[2];
    private readonly nint[] _fences = new nint[2];
    private readonly long[] _ids = new long[2];
    private int _next;
    private int _pending;
    private readonly uint _yuvFramebuffer, _yuvTexture, _yuvVao;
    private readonly ShaderProgram? _yuvProgram;

    public OffscreenTarget(int width, int height, ReadbackFormat readback = ReadbackFormat.Bgra)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"offscreen size must be positive, got {width}x{height}");
        }
        (Width, Height, Readback) = (width, height, readback);
        if (readback == ReadbackFormat.Yuv420 && (width % 2 != 0 || height % 2 != 0))
        {
            throw new ArgumentException($"YUV 4:2:0 readback needs an even size, got {width}x{height}", nameof(readback));
        }
        int previousDraw = G.GetInteger(GlConst.DrawFramebufferBinding), previousRead = G.GetInteger(GlConst.ReadFramebufferBinding);
        int previousTexture = G.GetInteger(GlConst.TextureBinding2D);
        _texture = G.GenTexture();
        G.BindTexture(GlConst.Texture2D, _texture);
        G.TexParameter(GlConst.Texture2D, GlConst.TextureMinFilter, GlConst.Nearest);
        G.TexParameter(GlConst.Texture2D, GlConst.TextureMagFilter, GlConst.Nearest);
        G.TexImage2D(GlConst.Texture2D, 0, GlConst.Rgba8, width, height, (uint)GlConst.Rgba, GlConst.UnsignedByte, null);
        _framebuffer = G.GenFramebuffer();
        G.BindFramebuffer(GlConst.Framebuffer, _framebuffer);
        G.FramebufferTexture2D(GlConst.Framebuffer, GlConst.ColorAttachment0, GlConst.Texture2D, _texture, 0);
        uint status = G.CheckFramebufferStatus(GlConst.Framebuffer);
        if (readback == ReadbackFormat.Yuv420)
        {
            _yuvTexture = G.GenTexture();
            G.BindTexture(GlConst.Texture2D, _yuvTexture);
            G.TexParameter(GlConst.Texture2D, GlConst.TextureMinFilter, GlConst.Nearest);
            G.TexParameter(GlConst.Texture2D, GlConst.TextureMagFilter, GlConst.Nearest);
            G.TexImage2D(GlConst.Texture2D, 0, GlConst.R8, width, height * 3 / 2, (uint)GlConst.Red, GlConst.UnsignedByte, null);
            _yuvFramebuffer = G.GenFramebuffer();
            G.BindFramebuffer(GlConst.Framebuffer, _yuvFramebuffer);
            G.FramebufferTexture2D(GlConst.Framebuffer, GlConst.ColorAttachment0, GlConst.Texture2D, _yuvTexture, 0);
            if (G.CheckFramebufferStatus(GlConst.Framebuffer) != GlConst.FramebufferComplete)
            {
                status = 0;
            }
            _yuvVao = G.GenVertexArray();
            _yuvProgram = ShaderProgram.FromEmbedded("yuv");
        }
        for (int i = 0; i < 2; i++)
        {
            _packBuffers[i] = G.GenBuffer();
            G.BindBuffer(GlConst.PixelPackBuffer, _packBuffers[i]);
            G.BufferData(GlConst.PixelPackBuffer, ReadbackBytes, null, GlConst.StreamRead);
        }
        G.BindBuffer(GlConst.PixelPackBuffer, 0);
        G.BindTexture(GlConst.Texture2D, (uint)previousTexture);
        G.BindFramebuffer(GlConst.DrawFramebuffer, (uint)previousDraw);
        G.BindFramebuffer(GlConst.ReadFramebuffer, (uint)previousRead);
        if (status != GlConst.FramebufferComplete)
        {
            Dispose();
            throw new RendererException($"offscreen framebuffer {width}x{height} is incomplete (status 0x{status:X4})");
        }
        G.Check("creating an offscreen target");
    }

    public int Width { get; }

    public int Height { get; }

    public ReadbackFormat Readback { get; }

    /// <summary>Size of one asynchronous readback, and the frame <see cref="TryCompleteReadback"/> fills.</summary>
    public (int Width, int Height, PixelFormat Format) ReadbackFrame =>
        Readback == ReadbackFormat.Yuv420 ? (Width, Height, PixelFormat.Yuv420) : (Width, Height, PixelFormat.Bgra32);

    private nint ReadbackBytes => Readback == ReadbackFormat.Yuv420 ? (nint)Width * Height * 3 / 2 : (nint)Width * Height * 4;

    /// <summary>The whole target as a viewport.</summary>
    public Viewport Viewport => new(0, 0, Width, Height);

    /// <summary>Makes this the draw and read framebuffer and sets the viewport to cover it.</summary>
    public void Bind()
    {
        G.BindFramebuffer(GlConst.Framebuffer, _framebuffer);
        G.Viewport(0, 0, Width, Height);
    }

    /// <summary>Clears to an opaque colour (0xRRGGBB).</summary>
    public void Clear(int rgb = 0)
    {
        Bind();
        G.ClearColor(((rgb >> 16) & 0xFF) / 255f, ((rgb >> 8) & 0xFF) / 255f, (rgb & 0xFF) / 255f, 1f);
        G.Clear(GlConst.ColorBufferBit);
    }

    /// <summary>Reads the pixels now, waiting for the GPU (tests, screenshots).</summary>
    public void ReadPixels(Frame into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (into.Width != Width || into.Height != Height || into.Format != PixelFormat.Bgra32)
        {
            throw new ArgumentException($"ReadPixels needs a {Width}x{Height} Bgra32 frame, got {into.Width}x{into.Height} {into.Format}", nameof(into));
        }
        Bind();
        ReadBoundFramebuffer(into);
        G.Check("OffscreenTarget.ReadPixels");
    }

    /// <summary>
    /// Reads the bound read framebuffer's bottom-left <paramref name="into"/>-sized rectangle as BGRA, top row
    /// first, waiting for the GPU. Shared by this target and window screenshots.
    /// </summary>
    internal static void ReadBoundFramebuffer(Frame into)
    {
        G.BindBuffer(GlConst.PixelPackBuffer, 0);
        G.PixelStore(GlConst.PackAlignment, 4);
        G.PixelStore(GlConst.PackRowLength, into.Stride / 4);
        fixed (byte* p = into.Pixels)
        {
            G.ReadPixels(0, 0, into.Width, into.Height, (uint)GlConst.Bgra, GlConst.UnsignedByte, p);
        }
        G.PixelStore(GlConst.PackRowLength, 0);
        FlipRows(into);
    }

    /// <summary>Starts copying the current contents to a pack buffer; false when both are still in flight.</summary>
    public bool BeginReadback(long frameId)
    {
        if (_pending == 2)
        {
            return false;
        }
        int buffer = (_next + _pending) % 2;
        if (Readback == ReadbackFormat.Yuv420)
        {
            ConvertToYuv();
            G.BindFramebuffer(GlConst.Framebuffer, _yuvFramebuffer);
            G.BindBuffer(GlConst.PixelPackBuffer, _packBuffers[buffer]);
            G.PixelStore(GlConst.PackAlignment, 1);
            G.ReadPixels(0, 0, Width, Height * 3 / 2, (uint)GlConst.Red, GlConst.UnsignedByte, null);
            G.BindBuffer(GlConst.PixelPackBuffer, 0);
            Bind();
        }
        else
        {
            Bind();
            G.BindBuffer(GlConst.PixelPackBuffer, _packBuffers[buffer]);
            G.PixelStore(GlConst.PackAlignment, 4);
            G.ReadPixels(0, 0, Width, Height, (uint)GlConst.Bgra, GlConst.UnsignedByte, null);
            G.BindBuffer(GlConst.PixelPackBuffer, 0);
        }
        _fences[buffer] = G.FenceSync();
        _ids[buffer] = frameId;
        _pending++;
        G.Flush(); // so the fence can signal without anyone waiting on it
        return true;
    }

    /// <summary>Pending readbacks not yet collected.</summary>
    public int Pending => _pending;

    /// <summary>
    /// Copies the oldest readback into <paramref name="into"/> (BGRA, Width x Height) once the GPU has finished it,
    /// waiting at most <paramref name="wait"/>; returns its frame id, or -1 when nothing is ready.
    /// </summary>
    public long TryCompleteReadback(Frame into, TimeSpan wait = default)
    {
        if (_pending == 0)
        {
            return -1;
        }
        CheckFrame(into);
        int buffer = _next;
        uint state = G.ClientWaitSync(_fences[buffer], GlConst.SyncFlushCommandsBit, (ulong)Math.Max(0, wait.Ticks) * 100);
        if (state is not (GlConst.AlreadySignaled or GlConst.ConditionSatisfied))
        {
            if (state == GlConst.WaitFailed)
            {
                throw new RendererException("glClientWaitSync failed on a readback fence");
            }
            return -1;
        }
        G.DeleteSync(_fences[buffer]);
        _fences[buffer] = 0;
        G.BindBuffer(GlConst.PixelPackBuffer, _packBuffers[buffer]);
        void* mapped = G.MapBufferRange(GlConst.PixelPackBuffer, 0, ReadbackBytes, GlConst.MapReadBit);
        if (mapped == null)
        {
            G.BindBuffer(GlConst.PixelPackBuffer, 0);
            throw new RendererException("glMapBufferRange returned null for a readback buffer");
        }
        var source = new ReadOnlySpan<byte>(mapped, (int)ReadbackBytes);
        if (Readback == ReadbackFormat.Yuv420)
        {
            source.CopyTo(into.Pixels); // the shader already wrote the file's row order
        }
        else
        {
            int rowBytes = Width * 4;
            for (int y = 0; y < Height; y++)
            {
                // GL rows run bottom-up; frames top-down.
                source.Slice((Height - 1 - y) * rowBytes, rowBytes).CopyTo(into.Row(y));
            }
        }
        G.UnmapBuffer(GlConst.PixelPackBuffer);
        G.BindBuffer(GlConst.PixelPackBuffer, 0);
        _next = (_next + 1) % 2;
        _pending--;
        return _ids[buffer];
    }

    private void CheckFrame(Frame into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var (w, h, format) = ReadbackFrame;
        if (into.Width != w || into.Height != h || into.Format != format)
        {
            throw new ArgumentException($"readback needs a {w}x{h} {format} frame, got {into.Width}x{into.Height} {into.Format}", nameof(into));
        }
    }

    /// <summary>The colour conversion pass: this target's texture → the R8 YUV target, state restored after.</summary>
    private void ConvertToYuv()
    {
        var saved = GlStateSnapshot.Capture();
        try
        {
            G.BindFramebuffer(GlConst.Framebuffer, _yuvFramebuffer);
            G.Viewport(0, 0, Width, Height * 3 / 2);
            G.Disable(GlConst.Blend);
            G.Disable(GlConst.ScissorTest);
            G.Disable(GlConst.DepthTest);
            G.UseProgram(_yuvProgram!.Handle);
            G.Uniform(_yuvProgram.Uniform("uSource"), 0);
            G.UniformInt2(_yuvProgram.Uniform("uSize"), Width, Height);
            G.ActiveTexture(GlConst.Texture0);
            G.BindTexture(GlConst.Texture2D, _texture);
            G.BindVertexArray(_yuvVao);
            G.DrawArrays(GlConst.TriangleStrip, 0, 4);
            G.Check("OffscreenTarget YUV conversion");
        }
        finally
        {
            saved.Restore();
        }
    }

    internal static void FlipRows(Frame frame)
    {
        int rowBytes = frame.Width * frame.Format.BytesPerPixel();
        Span<byte> temp = rowBytes <= 16384 ? stackalloc byte[rowBytes] : new byte[rowBytes];
        for (int y = 0; y < frame.Height / 2; y++)
        {
            var a = frame.Row(y);
            var b = frame.Row(frame.Height - 1 - y);
            a.CopyTo(temp);
            b.CopyTo(a);
            temp.CopyTo(b);
        }
    }

    public void Dispose()
    {
        foreach (nint fence in _fences)
        {
            if (fence != 0)
            {
                G.DeleteSync(fence);
            }
        }
        G.DeleteBuffer(_packBuffers[0]);
        G.DeleteBuffer(_packBuffers[1]);
        G.DeleteFramebuffer(_framebuffer);
        G.DeleteTexture(_texture);
        if (_yuvProgram is not null)
        {
            _yuvProgram.Dispose();
            G.DeleteFramebuffer(_yuvFramebuffer);
            G.DeleteTexture(_yuvTexture);
            G.DeleteVertexArray(_yuvVao);
        }
    }
}
