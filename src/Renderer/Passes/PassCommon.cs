using RealtimeSeg.Renderer.Graphics;
using Silk.NET.OpenGL;

namespace RealtimeSeg.Renderer.Passes;

/// <summary>Where the frame sits in the viewport: offsets in whole pixels (edges stay crisp) and the scale.</summary>
internal readonly record struct FrameLayout(float OffsetX, float OffsetY, float Scale)
{
    /// <summary>Fits a frame inside the viewport keeping its aspect, centred.</summary>
    public static FrameLayout Letterbox(int frameWidth, int frameHeight, Viewport viewport)
    {
        float scale = Math.Min((float)viewport.Width / frameWidth, (float)viewport.Height / frameHeight);
        return new FrameLayout(MathF.Floor((viewport.Width - frameWidth * scale) / 2), MathF.Floor((viewport.Height - frameHeight * scale) / 2), scale);
    }
}

/// <summary>What every pass of one draw shares: the viewport and where the frame sits in it.</summary>
internal readonly record struct PassTarget(Viewport Viewport, FrameLayout Layout)
{
    /// <summary>The uniforms every overlay shader declares (common.glsl): viewport and frame placement.</summary>
    public void SetUniforms(GL gl, ShaderProgram program)
    {
        gl.Uniform2(program.Uniform("uViewportOrigin"), (float)Viewport.X, (float)Viewport.Y);
        gl.Uniform2(program.Uniform("uViewportSize"), (float)Viewport.Width, (float)Viewport.Height);
        gl.Uniform2(program.Uniform("uContentOffset"), Layout.OffsetX, Layout.OffsetY);
        gl.Uniform1(program.Uniform("uScale"), Layout.Scale);
    }
}

/// <summary>
/// Per-instance vertex data for one instanced draw: a growable float array streamed to a buffer each frame
/// (orphaned then filled, so the driver never waits for the last frame's draw) and the vertex array reading it.
/// </summary>
internal sealed unsafe class InstanceStream
{
    private readonly GL _gl;
    private readonly uint _buffer;

    public InstanceStream(GL gl, GlObjects objects, int floatsPerInstance, int[] attributeSizes, int initialInstances)
    {
        _gl = gl;
        FloatsPerInstance = floatsPerInstance;
        Data = new float[floatsPerInstance * initialInstances];
        _buffer = objects.Buffer();
        VertexArray = objects.VertexArray();
        gl.BindVertexArray(VertexArray);
        gl.BindBuffer(GLEnum.ArrayBuffer, _buffer);
        int offset = 0;
        for (uint a = 0; a < attributeSizes.Length; a++)
        {
            gl.EnableVertexAttribArray(a);
            gl.VertexAttribPointer(a, attributeSizes[a], VertexAttribPointerType.Float, false, (uint)(floatsPerInstance * sizeof(float)), (void*)(offset * sizeof(float)));
            gl.VertexAttribDivisor(a, 1);
            offset += attributeSizes[a];
        }
    }

    public int FloatsPerInstance { get; }

    public uint VertexArray { get; }

    public float[] Data { get; private set; }

    /// <summary>Instance <paramref name="index"/>'s floats, growing the array when needed (rarely: it keeps its size).</summary>
    public Span<float> Instance(int index)
    {
        int needed = (index + 1) * FloatsPerInstance;
        if (Data.Length < needed)
        {
            var grown = Data;
            Array.Resize(ref grown, Math.Max(needed, Data.Length * 2));
            Data = grown;
        }
        return Data.AsSpan(index * FloatsPerInstance, FloatsPerInstance);
    }

    /// <summary>Streams the first <paramref name="count"/> instances and draws them as quads.</summary>
    public void Draw(int count)
    {
        if (count == 0)
        {
            return;
        }
        _gl.BindBuffer(GLEnum.ArrayBuffer, _buffer);
        fixed (float* p = Data)
        {
            nuint bytes = (nuint)(count * FloatsPerInstance * sizeof(float));
            _gl.BufferData(GLEnum.ArrayBuffer, bytes, null, GLEnum.StreamDraw);
            _gl.BufferSubData(GLEnum.ArrayBuffer, 0, bytes, p);
        }
        _gl.BindVertexArray(VertexArray);
        _gl.DrawArraysInstanced(PrimitiveType.TriangleStrip, 0, 4, (uint)count);
    }
}

/// <summary>Small helpers the passes share.</summary>
internal static class PassMath
{
    /// <summary>0xRRGGBB and an alpha as four floats.</summary>
    public static void WriteColour(Span<float> into, int rgb, float alpha)
    {
        into[0] = ((rgb >> 16) & 0xFF) / 255f;
        into[1] = ((rgb >> 8) & 0xFF) / 255f;
        into[2] = (rgb & 0xFF) / 255f;
        into[3] = alpha;
    }

    /// <summary>A texture with clamped edges and the given filter, bound on unit 0.</summary>
    public static uint CreateTexture(GL gl, GlObjects objects, TextureTarget target, GLEnum filter)
    {
        uint texture = objects.Texture();
        gl.ActiveTexture(TextureUnit.Texture0);
        gl.BindTexture(target, texture);
        gl.TexParameter(target, TextureParameterName.TextureMinFilter, (int)filter);
        gl.TexParameter(target, TextureParameterName.TextureMagFilter, (int)filter);
        gl.TexParameter(target, TextureParameterName.TextureWrapS, (int)GLEnum.ClampToEdge);
        gl.TexParameter(target, TextureParameterName.TextureWrapT, (int)GLEnum.ClampToEdge);
        return texture;
    }
}
