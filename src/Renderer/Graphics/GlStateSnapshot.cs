using RealtimeSeg.Renderer.Native;
using G = RealtimeSeg.Renderer.Native.Gl;

namespace RealtimeSeg.Renderer.Graphics;

/// <summary>
/// Every piece of GL state the overlay changes, captured before it draws and put back after, so a host
/// engine's own state (program, VAO, textures, blending, viewport, scissor, depth, framebuffers, pixel
/// transfer) is exactly as it left it. A value type: capturing allocates nothing.
/// </summary>
internal unsafe struct GlStateSnapshot : IEquatable<GlStateSnapshot>
{
    public const int TextureUnits = 2; // the overlay binds units 0 and 1

    public int Program, VertexArray, ArrayBuffer, UnpackBuffer, PackBuffer, ActiveTexture;
    public fixed int Texture2D[TextureUnits];
    public fixed int Texture2DArray[TextureUnits];
    public bool Blend, DepthTest, CullFace, ScissorTest, StencilTest;
    public int BlendSrcRgb, BlendDstRgb, BlendSrcAlpha, BlendDstAlpha, BlendEquationRgb, BlendEquationAlpha;
    public fixed int Viewport[4];
    public fixed int Scissor[4];
    public int DrawFramebuffer, ReadFramebuffer;
    public int UnpackAlignment, UnpackRowLength, PackAlignment, PackRowLength;

    public static GlStateSnapshot Capture()
    {
        var s = default(GlStateSnapshot);
        s.Program = G.GetInteger(GlConst.CurrentProgram);
        s.VertexArray = G.GetInteger(GlConst.VertexArrayBinding);
        s.ArrayBuffer = G.GetInteger(GlConst.ArrayBufferBinding);
        s.UnpackBuffer = G.GetInteger(GlConst.PixelUnpackBufferBinding);
        s.PackBuffer = G.GetInteger(GlConst.PixelPackBufferBinding);
        s.ActiveTexture = G.GetInteger(GlConst.ActiveTextureParam);
        for (uint unit = 0; unit < TextureUnits; unit++)
        {
            G.ActiveTexture(GlConst.Texture0 + unit);
            s.Texture2D[unit] = G.GetInteger(GlConst.TextureBinding2D);
            s.Texture2DArray[unit] = G.GetInteger(GlConst.TextureBinding2DArray);
        }
        G.ActiveTexture((uint)s.ActiveTexture);
        s.Blend = G.IsEnabled(GlConst.Blend);
        s.DepthTest = G.IsEnabled(GlConst.DepthTest);
        s.CullFace = G.IsEnabled(GlConst.CullFace);
        s.ScissorTest = G.IsEnabled(GlConst.ScissorTest);
        s.StencilTest = G.IsEnabled(GlConst.StencilTest);
        s.BlendSrcRgb = G.GetInteger(GlConst.BlendSrcRgb);
        s.BlendDstRgb = G.GetInteger(GlConst.BlendDstRgb);
        s.BlendSrcAlpha = G.GetInteger(GlConst.BlendSrcAlpha);
        s.BlendDstAlpha = G.GetInteger(GlConst.BlendDstAlpha);
        s.BlendEquationRgb = G.GetInteger(GlConst.BlendEquationRgb);
        s.BlendEquationAlpha = G.GetInteger(GlConst.BlendEquationAlpha);
        G.GetIntegerv(GlConst.ViewportParam, s.Viewport);
        G.GetIntegerv(GlConst.ScissorBox, s.Scissor);
        s.DrawFramebuffer = G.GetInteger(GlConst.DrawFramebufferBinding);
        s.ReadFramebuffer = G.GetInteger(GlConst.ReadFramebufferBinding);
        s.UnpackAlignment = G.GetInteger(GlConst.UnpackAlignment);
        s.UnpackRowLength = G.GetInteger(GlConst.UnpackRowLength);
        s.PackAlignment = G.GetInteger(GlConst.PackAlignment);
        s.PackRowLength = G.GetInteger(GlConst.PackRowLength);
        return s;
    }

    public readonly void Restore()
    {
        G.UseProgram((uint)Program);
        G.BindVertexArray((uint)VertexArray);
        G.BindBuffer(GlConst.ArrayBuffer, (uint)ArrayBuffer);
        G.BindBuffer(GlConst.PixelUnpackBuffer, (uint)UnpackBuffer);
        G.BindBuffer(GlConst.PixelPackBuffer, (uint)PackBuffer);
        for (uint unit = 0; unit < TextureUnits; unit++)
        {
            G.ActiveTexture(GlConst.Texture0 + unit);
            G.BindTexture(GlConst.Texture2D, (uint)Texture2D[unit]);
            G.BindTexture(GlConst.Texture2DArray, (uint)Texture2DArray[unit]);
        }
        G.ActiveTexture((uint)ActiveTexture);
        G.SetEnabled(GlConst.Blend, Blend);
        G.SetEnabled(GlConst.DepthTest, DepthTest);
        G.SetEnabled(GlConst.CullFace, CullFace);
        G.SetEnabled(GlConst.ScissorTest, ScissorTest);
        G.SetEnabled(GlConst.StencilTest, StencilTest);
        G.BlendFuncSeparate((uint)BlendSrcRgb, (uint)BlendDstRgb, (uint)BlendSrcAlpha, (uint)BlendDstAlpha);
        G.BlendEquationSeparate((uint)BlendEquationRgb, (uint)BlendEquationAlpha);
        G.Viewport(Viewport[0], Viewport[1], Viewport[2], Viewport[3]);
        G.Scissor(Scissor[0], Scissor[1], Scissor[2], Scissor[3]);
        G.BindFramebuffer(GlConst.DrawFramebuffer, (uint)DrawFramebuffer);
        G.BindFramebuffer(GlConst.ReadFramebuffer, (uint)ReadFramebuffer);
        G.PixelStore(GlConst.UnpackAlignment, UnpackAlignment);
        G.PixelStore(GlConst.UnpackRowLength, UnpackRowLength);
        G.PixelStore(GlConst.PackAlignment, PackAlignment);
        G.PixelStore(GlConst.PackRowLength, PackRowLength);
    }

    public readonly bool Equals(GlStateSnapshot other)
    {
        fixed (GlStateSnapshot* a = &this)
        {
            return new ReadOnlySpan<byte>(a, sizeof(GlStateSnapshot)).SequenceEqual(new ReadOnlySpan<byte>(&other, sizeof(GlStateSnapshot)));
        }
    }

    public override readonly bool Equals(object? obj) => obj is GlStateSnapshot s && Equals(s);

    public override readonly int GetHashCode() => HashCode.Combine(Program, VertexArray, ActiveTexture, Blend, DrawFramebuffer);
}
