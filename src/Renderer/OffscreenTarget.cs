using RealtimeSeg.Renderer.Graphics;
using RealtimeSeg.Renderer.Native;
using RealtimeSeg.Runtime.Imaging;
using Silk.NET.OpenGL;
using GLPixelFormat = Silk.NET.OpenGL.PixelFormat;
using PixelFormat = RealtimeSeg.Runtime.Imaging.PixelFormat;

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
/// Create and use it on the thread where its context is current; <see cref="Dispose"/> from elsewhere defers the
/// deletion to that thread (see <see cref="GlDeletions"/>).
/// </summary>
public sealed unsafe class OffscreenTarget : IDisposable
{
    private readonly GL _gl;
    private readonly GlObjects _objects;
    private readonly uint _framebuffer, _texture;
    private readonly uint[] _packBuffers = new uint[2];
    private readonly nint[] _fences = new nint[2];
    private readonly long[] _ids = new long[2];
    private int _next;
    private int _pending;
    private int _disposed;
    private readonly uint _yuvFramebuffer, _yuvTexture, _yuvVao;
    private readonly ShaderProgram? _yuvProgram;

    /// <param name="gl">The GL of the context it belongs to, current on this thread.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="readback">What <see cref="BeginReadback"/> copies out: BGRA, or YUV 4:2:0 converted on the GPU (even sizes).</param>
    public OffscreenTarget(GL gl, int width, int height, ReadbackFormat readback = ReadbackFormat.Bgra)
    {
        ArgumentNullException.ThrowIfNull(gl);
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"offscreen size must be positive, got {width}x{height}");
        }
        if (readback == ReadbackFormat.Yuv420 && (width % 2 != 0 || height % 2 != 0))
        {
            throw new ArgumentException($"YUV 4:2:0 readback needs an even size, got {width}x{height}", nameof(readback));
        }
        (_gl, Width, Height, Readback) = (gl, width, height, readback);
        _objects = new GlObjects(gl);
        var saved = GlStateSnapshot.Capture(gl); // the host's bindings and unpack state, whatever unit is active
        GLEnum status;
        try
        {
            gl.ActiveTexture(TextureUnit.Texture0);
            _texture = CreateTexture(InternalFormat.Rgba8, width, height, GLPixelFormat.Rgba);
            _framebuffer = _objects.Framebuffer();
            gl.BindFramebuffer(FramebufferTarget.Framebuffer, _framebuffer);
            gl.FramebufferTexture2D(FramebufferTarget.Framebuffer, FramebufferAttachment.ColorAttachment0, TextureTarget.Texture2D, _texture, 0);
            status = gl.CheckFramebufferStatus(FramebufferTarget.Framebuffer);
            if (readback == ReadbackFormat.Yuv420)
            {
                _yuvTexture = CreateTexture(InternalFormat.R8, width, height * 3 / 2, GLPixelFormat.Red);
                _yuvFramebuffer = _objects.Framebuffer();
                gl.BindFramebuffer(FramebufferTarget.Framebuffer, _yuvFramebuffer);
                gl.FramebufferTexture2D(FramebufferTarget.Framebuffer, FramebufferAttachment.ColorAttachment0, TextureTarget.Texture2D, _yuvTexture, 0);
                if (gl.CheckFramebufferStatus(FramebufferTarget.Framebuffer) != GLEnum.FramebufferComplete)
                {
                    status = 0;
                }
                _yuvVao = _objects.VertexArray();
                _yuvProgram = _objects.Program("yuv");
            }
            for (int i = 0; i < 2; i++)
            {
                _packBuffers[i] = _objects.Buffer();
                gl.BindBuffer(BufferTargetARB.PixelPackBuffer, _packBuffers[i]);
                gl.BufferData(BufferTargetARB.PixelPackBuffer, ReadbackBytes, null, BufferUsageARB.StreamRead);
            }
        }
        finally
        {
            saved.Restore(gl);
        }
        if (status != GLEnum.FramebufferComplete)
        {
            Dispose();
            throw new RendererException($"offscreen framebuffer {width}x{height} is incomplete (status 0x{(int)status:X4})");
        }
        GlErrors.Check(gl, "creating an offscreen target");
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>What asynchronous readbacks copy out.</summary>
    public ReadbackFormat Readback { get; }

    /// <summary>Size of one asynchronous readback, and the frame <see cref="TryCompleteReadback"/> fills.</summary>
    public (int Width, int Height, PixelFormat Format) ReadbackFrame =>
        Readback == ReadbackFormat.Yuv420 ? (Width, Height, PixelFormat.Yuv420) : (Width, Height, PixelFormat.Bgra32);

    private nuint ReadbackBytes => Readback == ReadbackFormat.Yuv420 ? (nuint)Width * (nuint)Height * 3 / 2 : (nuint)Width * (nuint)Height * 4;

    /// <summary>The whole target as a viewport.</summary>
    public Viewport Viewport => new(0, 0, Width, Height);

    /// <summary>Makes this the draw and read framebuffer and sets the viewport to cover it.</summary>
    public void Bind()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _gl.BindFramebuffer(FramebufferTarget.Framebuffer, _framebuffer);
        _gl.Viewport(0, 0, (uint)Width, (uint)Height);
    }

    /// <summary>Clears to an opaque colour (0xRRGGBB).</summary>
    public void Clear(int rgb = 0)
    {
        Bind();
        _gl.ClearColor(((rgb >> 16) & 0xFF) / 255f, ((rgb >> 8) & 0xFF) / 255f, (rgb & 0xFF) / 255f, 1f);
        _gl.Clear(ClearBufferMask.ColorBufferBit);
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
        ReadBoundFramebuffer(_gl, into);
        GlErrors.Check(_gl, "OffscreenTarget.ReadPixels");
    }

    /// <summary>
    /// Reads the bound read framebuffer's bottom-left <paramref name="into"/>-sized rectangle as BGRA, top row
    /// first, waiting for the GPU. Shared by this target and window screenshots.
    /// </summary>
    internal static void ReadBoundFramebuffer(GL gl, Frame into)
    {
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
        DrawState.SetPack(gl, 4, into.Stride / 4); // a host's PACK_SKIP_ROWS would write past the frame
        fixed (byte* p = into.Pixels)
        {
            gl.ReadPixels(0, 0, (uint)into.Width, (uint)into.Height, GLPixelFormat.Bgra, PixelType.UnsignedByte, p);
        }
        gl.PixelStore(PixelStoreParameter.PackRowLength, 0);
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
            _gl.BindFramebuffer(FramebufferTarget.Framebuffer, _yuvFramebuffer);
            _gl.BindBuffer(BufferTargetARB.PixelPackBuffer, _packBuffers[buffer]);
            DrawState.SetPack(_gl, 1, 0);
            _gl.ReadPixels(0, 0, (uint)Width, (uint)(Height * 3 / 2), GLPixelFormat.Red, PixelType.UnsignedByte, null);
            _gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
            Bind();
        }
        else
        {
            Bind();
            _gl.BindBuffer(BufferTargetARB.PixelPackBuffer, _packBuffers[buffer]);
            DrawState.SetPack(_gl, 4, 0);
            _gl.ReadPixels(0, 0, (uint)Width, (uint)Height, GLPixelFormat.Bgra, PixelType.UnsignedByte, null);
            _gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
        }
        _fences[buffer] = _gl.FenceSync(SyncCondition.SyncGpuCommandsComplete, SyncBehaviorFlags.None);
        _ids[buffer] = frameId;
        _pending++;
        _gl.Flush(); // so the fence can signal without anyone waiting on it
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
        var state = _gl.ClientWaitSync(_fences[buffer], (uint)SyncObjectMask.Bit, (ulong)Math.Max(0, wait.Ticks) * 100);
        if (state is not (GLEnum.AlreadySignaled or GLEnum.ConditionSatisfied))
        {
            if (state == GLEnum.WaitFailed)
            {
                throw new RendererException("glClientWaitSync failed on a readback fence");
            }
            return -1;
        }
        _gl.DeleteSync(_fences[buffer]);
        _fences[buffer] = 0;
        _gl.BindBuffer(BufferTargetARB.PixelPackBuffer, _packBuffers[buffer]);
        void* mapped = _gl.MapBufferRange(BufferTargetARB.PixelPackBuffer, 0, ReadbackBytes, MapBufferAccessMask.ReadBit);
        if (mapped == null)
        {
            _gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
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
        _gl.UnmapBuffer(BufferTargetARB.PixelPackBuffer);
        _gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
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

    private uint CreateTexture(InternalFormat internalFormat, int width, int height, GLPixelFormat format)
    {
        uint texture = _objects.Texture();
        _gl.BindTexture(TextureTarget.Texture2D, texture);
        _gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMinFilter, (int)GLEnum.Nearest);
        _gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMagFilter, (int)GLEnum.Nearest);
        DrawState.SetUnpack(_gl); // a null pointer is an offset into a host's bound unpack buffer
        _gl.TexImage2D(TextureTarget.Texture2D, 0, internalFormat, (uint)width, (uint)height, 0, format, PixelType.UnsignedByte, null);
        return texture;
    }

    /// <summary>The colour conversion pass: this target's texture → the R8 YUV target, state restored after.</summary>
    private void ConvertToYuv()
    {
        var saved = GlStateSnapshot.Capture(_gl);
        try
        {
            _gl.BindFramebuffer(FramebufferTarget.Framebuffer, _yuvFramebuffer);
            _gl.Viewport(0, 0, (uint)Width, (uint)(Height * 3 / 2));
            _gl.Disable(EnableCap.Blend);
            DrawState.SetRaster(_gl);
            _gl.BindSampler(0, 0);
            _gl.UseProgram(_yuvProgram!.Handle);
            _gl.Uniform1(_yuvProgram.Uniform("uSource"), 0);
            _gl.Uniform2(_yuvProgram.Uniform("uSize"), Width, Height);
            _gl.ActiveTexture(TextureUnit.Texture0);
            _gl.BindTexture(TextureTarget.Texture2D, _texture);
            _gl.BindVertexArray(_yuvVao);
            _gl.DrawArrays(PrimitiveType.TriangleStrip, 0, 4);
            GlErrors.Check(_gl, "OffscreenTarget YUV conversion");
        }
        finally
        {
            saved.Restore(_gl);
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

    /// <summary>Deletes the GL objects (now on the GL thread, else deferred to it); a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (nint fence in _fences)
        {
            if (fence != 0)
            {
                _objects.Adopt(GlObjectKind.Sync, fence);
            }
        }
        _objects.Delete();
    }
}
