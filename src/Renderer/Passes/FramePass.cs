using RealtimeSeg.Renderer.Graphics;
using RealtimeSeg.Runtime.Imaging;
using Silk.NET.OpenGL;
using GLPixelFormat = Silk.NET.OpenGL.PixelFormat;
using PixelFormat = RealtimeSeg.Runtime.Imaging.PixelFormat;

namespace RealtimeSeg.Renderer.Passes;

/// <summary>
/// The video frame, letterboxed: uploaded into a texture allocated once per size and updated in place
/// (re-allocating every frame stalls drivers), optionally through two pixel-unpack buffers used in turn so the
/// copy from our memory does not wait for the GPU's read of the previous frame; skipped when the frame is the
/// one already uploaded. BGR orders are swizzled in the shader, not on the CPU.
/// </summary>
internal sealed unsafe class FramePass
{
    private readonly GL _gl;
    private readonly ShaderProgram _program;
    private readonly uint _texture, _emptyVertexArray;
    private readonly uint[] _pixelBuffers = new uint[2];
    private int _width, _height, _internalFormat, _pixelBufferSize, _nextPixelBuffer;
    private long _lastId = -1, _lastGeneration = -1;
    private Frame? _last;

    public FramePass(GL gl, GlObjects objects)
    {
        _gl = gl;
        _program = objects.Program("frame");
        _texture = PassMath.CreateTexture(gl, objects, TextureTarget.Texture2D, GLEnum.Linear);
        _emptyVertexArray = objects.VertexArray(); // the quad comes from gl_VertexID
        _pixelBuffers[0] = objects.Buffer();
        _pixelBuffers[1] = objects.Buffer();
    }

    public void Draw(Frame frame, PassTarget target, bool usePixelBuffers)
    {
        Upload(frame, usePixelBuffers);
        _gl.UseProgram(_program.Handle);
        target.SetUniforms(_gl, _program);
        _gl.Uniform2(_program.Uniform("uFrameSize"), (float)frame.Width, (float)frame.Height);
        _gl.Uniform1(_program.Uniform("uFrame"), 0);
        _gl.Uniform1(_program.Uniform("uSwapRedBlue"), frame.Format is PixelFormat.Bgr24 or PixelFormat.Bgra32 ? 1 : 0);
        _gl.ActiveTexture(TextureUnit.Texture0);
        _gl.BindTexture(TextureTarget.Texture2D, _texture);
        _gl.BindVertexArray(_emptyVertexArray);
        _gl.DrawArrays(PrimitiveType.TriangleStrip, 0, 4);
    }

    private void Upload(Frame frame, bool usePixelBuffers)
    {
        // The same frame object, handed out once (generation), with the same id: its pixels are on the GPU already.
        if (ReferenceEquals(frame, _last) && frame.Id == _lastId && frame.Generation == _lastGeneration)
        {
            return;
        }
        int bpp = frame.Format.BytesPerPixel();
        var format = bpp == 4 ? GLPixelFormat.Rgba : GLPixelFormat.Rgb;
        var internalFormat = bpp == 4 ? InternalFormat.Rgba8 : InternalFormat.Rgb8;
        _gl.ActiveTexture(TextureUnit.Texture0);
        _gl.BindTexture(TextureTarget.Texture2D, _texture);
        _gl.PixelStore(PixelStoreParameter.UnpackAlignment, 1);
        _gl.PixelStore(PixelStoreParameter.UnpackRowLength, frame.Stride / bpp);
        if (frame.Width != _width || frame.Height != _height || (int)internalFormat != _internalFormat)
        {
            _gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, 0);
            _gl.TexImage2D(TextureTarget.Texture2D, 0, internalFormat, (uint)frame.Width, (uint)frame.Height, 0, format, PixelType.UnsignedByte, null);
            (_width, _height, _internalFormat) = (frame.Width, frame.Height, (int)internalFormat);
        }
        var pixels = frame.Pixels;
        if (usePixelBuffers)
        {
            uint buffer = _pixelBuffers[_nextPixelBuffer];
            _nextPixelBuffer ^= 1;
            if (pixels.Length > _pixelBufferSize)
            {
                _pixelBufferSize = pixels.Length;
                foreach (uint b in _pixelBuffers)
                {
                    _gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, b);
                    _gl.BufferData(BufferTargetARB.PixelUnpackBuffer, (nuint)pixels.Length, null, BufferUsageARB.StreamDraw);
                }
            }
            _gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, buffer);
            void* mapped = _gl.MapBufferRange(BufferTargetARB.PixelUnpackBuffer, 0, (nuint)pixels.Length, MapBufferAccessMask.WriteBit | MapBufferAccessMask.InvalidateBufferBit);
            if (mapped == null)
            {
                throw new RendererException("glMapBufferRange returned null for the frame upload buffer");
            }
            pixels.CopyTo(new Span<byte>(mapped, pixels.Length));
            _gl.UnmapBuffer(BufferTargetARB.PixelUnpackBuffer);
            _gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, (uint)frame.Width, (uint)frame.Height, format, PixelType.UnsignedByte, null);
            _gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, 0);
        }
        else
        {
            _gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, 0);
            fixed (byte* p = pixels)
            {
                _gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, (uint)frame.Width, (uint)frame.Height, format, PixelType.UnsignedByte, p);
            }
        }
        _gl.PixelStore(PixelStoreParameter.UnpackRowLength, 0);
        (_last, _lastId, _lastGeneration) = (frame, frame.Id, frame.Generation);
    }
}
