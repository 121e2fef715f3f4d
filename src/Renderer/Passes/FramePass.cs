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
/// one already uploaded. BGR orders are swizzled in the shader, not on the CPU; a YUV 4:2:0 frame goes up as its
/// three planes (one-channel textures, half the bytes of RGB) and is converted by the shader with the frame's
/// matrix and range.
/// </summary>
internal sealed unsafe class FramePass
{
    private readonly GL _gl;
    private readonly ShaderProgram _program;
    private readonly uint[] _planes = new uint[3]; // RGB(A) frames use the first; YUV 4:2:0 all three (Y, U, V)
    private readonly uint _emptyVertexArray;
    private readonly uint[] _pixelBuffers = new uint[2];
    private int _width, _height, _pixelBufferSize, _nextPixelBuffer;
    private PixelFormat? _allocatedFormat;
    private long _lastId = -1, _lastGeneration = -1;
    private Frame? _last;
    private readonly float[] _yuvToRgb = new float[9];

    public FramePass(GL gl, GlObjects objects)
    {
        _gl = gl;
        _program = objects.Program("frame");
        // Chroma is sampled nearest: each 2x2 block takes its own chroma sample, as FFmpeg's converter does, so a
        // YUV frame draws as the RGB path's picture (filtered chroma shifts colour edges by a quarter sample).
        for (int i = 0; i < _planes.Length; i++)
        {
            _planes[i] = PassMath.CreateTexture(gl, objects, TextureTarget.Texture2D, i == 0 ? GLEnum.Linear : GLEnum.Nearest);
        }
        _emptyVertexArray = objects.VertexArray(); // the quad comes from gl_VertexID
        _pixelBuffers[0] = objects.Buffer();
        _pixelBuffers[1] = objects.Buffer();
    }

    public void Draw(Frame frame, PassTarget target, bool usePixelBuffers)
    {
        Upload(frame, usePixelBuffers);
        bool yuv = frame.Format == PixelFormat.Yuv420;
        _gl.UseProgram(_program.Handle);
        target.SetUniforms(_gl, _program);
        _gl.Uniform2(_program.Uniform("uFrameSize"), (float)frame.Width, (float)frame.Height);
        _gl.Uniform1(_program.Uniform("uFrame"), 0);
        _gl.Uniform1(_program.Uniform("uChromaU"), 1);
        _gl.Uniform1(_program.Uniform("uChromaV"), 2);
        _gl.Uniform1(_program.Uniform("uSwapRedBlue"), frame.Format is PixelFormat.Bgr24 or PixelFormat.Bgra32 ? 1 : 0);
        _gl.Uniform1(_program.Uniform("uYuv"), yuv ? 1 : 0);
        if (yuv)
        {
            SetYuvUniforms(frame.Color);
        }
        for (int i = 0; i < (yuv ? 3 : 1); i++)
        {
            _gl.ActiveTexture(TextureUnit.Texture0 + i);
            _gl.BindTexture(TextureTarget.Texture2D, _planes[i]);
        }
        _gl.ActiveTexture(TextureUnit.Texture0);
        _gl.BindVertexArray(_emptyVertexArray);
        _gl.DrawArrays(PrimitiveType.TriangleStrip, 0, 4);
    }

    // The shader works on 0-1 values: rgb = M (yuv - offset), M column-major, the luma scale folded in.
    private void SetYuvUniforms(YuvColor color)
    {
        var k = color.Coefficients();
        float[] m = _yuvToRgb;
        (m[0], m[1], m[2]) = (k.LumaScale, k.LumaScale, k.LumaScale);
        (m[3], m[4], m[5]) = (0f, -k.CbToGreen, k.CbToBlue);
        (m[6], m[7], m[8]) = (k.CrToRed, -k.CrToGreen, 0f);
        _gl.UniformMatrix3(_program.Uniform("uYuvToRgb"), 1, false, m);
        _gl.Uniform3(_program.Uniform("uYuvOffset"), k.LumaOffset / 255f, 128f / 255f, 128f / 255f);
    }

    /// <summary>Forgets what was uploaded (after a failed draw): the next draw allocates and uploads again.</summary>
    public void Forget() => (_last, _lastId, _width, _height, _allocatedFormat, _pixelBufferSize) = (null, -1, 0, 0, null, 0);

    private void Upload(Frame frame, bool usePixelBuffers)
    {
        // The same frame object, handed out once (generation), with the same id: its pixels are on the GPU already.
        if (ReferenceEquals(frame, _last) && frame.Id == _lastId && frame.Generation == _lastGeneration)
        {
            return;
        }
        int planes = frame.Format == PixelFormat.Yuv420 ? 3 : 1;
        _gl.PixelStore(PixelStoreParameter.UnpackAlignment, 1);
        if (frame.Width != _width || frame.Height != _height || frame.Format != _allocatedFormat)
        {
            _gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, 0);
            _gl.ActiveTexture(TextureUnit.Texture0);
            for (int i = 0; i < planes; i++)
            {
                var (w, h, format, internalFormat) = PlaneLayout(frame, i);
                _gl.BindTexture(TextureTarget.Texture2D, _planes[i]);
                _gl.TexImage2D(TextureTarget.Texture2D, 0, internalFormat, (uint)w, (uint)h, 0, format, PixelType.UnsignedByte, null);
            }
            (_width, _height, _allocatedFormat) = (frame.Width, frame.Height, frame.Format);
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
        }
        else
        {
            _gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, 0);
        }
        fixed (byte* start = pixels)
        {
            // With a pixel buffer bound, the "pointer" is an offset into it; else it points into the frame.
            byte* origin = usePixelBuffers ? null : start;
            _gl.ActiveTexture(TextureUnit.Texture0);
            for (int i = 0; i < planes; i++)
            {
                var (w, h, format, _) = PlaneLayout(frame, i);
                _gl.BindTexture(TextureTarget.Texture2D, _planes[i]);
                _gl.PixelStore(PixelStoreParameter.UnpackRowLength, frame.PlaneStride(i) / frame.Format.BytesPerPixel());
                _gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, (uint)w, (uint)h, format, PixelType.UnsignedByte,
                    origin + Frame.PlaneOffset(frame.Stride, frame.Height, i));
            }
        }
        _gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, 0);
        _gl.PixelStore(PixelStoreParameter.UnpackRowLength, 0);
        (_last, _lastId, _lastGeneration) = (frame, frame.Id, frame.Generation);
    }

    private static (int Width, int Height, GLPixelFormat Format, InternalFormat InternalFormat) PlaneLayout(Frame frame, int plane)
    {
        if (frame.Format == PixelFormat.Yuv420)
        {
            return plane == 0
                ? (frame.Width, frame.Height, GLPixelFormat.Red, InternalFormat.R8)
                : (frame.Width / 2, frame.Height / 2, GLPixelFormat.Red, InternalFormat.R8);
        }
        return frame.Format.BytesPerPixel() == 4
            ? (frame.Width, frame.Height, GLPixelFormat.Rgba, InternalFormat.Rgba8)
            : (frame.Width, frame.Height, GLPixelFormat.Rgb, InternalFormat.Rgb8);
    }
}
