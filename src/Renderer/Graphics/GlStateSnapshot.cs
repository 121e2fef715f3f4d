using Silk.NET.OpenGL;

namespace RealtimeSeg.Renderer.Graphics;

/// <summary>
/// Every piece of GL state the overlay changes, captured before it draws and put back after, so a host engine's
/// own state (program, VAO, buffers, textures and samplers on the units we use, blending, colour mask, sRGB
/// writes, viewport, scissor, depth/cull/stencil, polygon mode, logic op, rasterizer discard, alpha to coverage,
/// framebuffers, the pixel-transfer state of uploads and readbacks) is exactly as it left it.
/// A value type: capturing allocates nothing.
/// </summary>
internal unsafe struct GlStateSnapshot : IEquatable<GlStateSnapshot>
{
    public const int TextureUnits = 3; // the overlay binds units 0 and 1, and 2 for a YUV frame's V plane

    public int Program, VertexArray, ArrayBuffer, UnpackBuffer, PackBuffer, ActiveTexture;
    public fixed int Texture2D[TextureUnits];
    public fixed int Texture2DArray[TextureUnits];
    public fixed int Sampler[TextureUnits];
    public bool Blend, DepthTest, CullFace, ScissorTest, StencilTest, FramebufferSrgb, ColorLogicOp, RasterizerDiscard, AlphaToCoverage;
    public int PolygonMode;
    public int BlendSrcRgb, BlendDstRgb, BlendSrcAlpha, BlendDstAlpha, BlendEquationRgb, BlendEquationAlpha;
    public fixed int ColorMask[4];
    public fixed int Viewport[4];
    public fixed int Scissor[4];
    public int DrawFramebuffer, ReadFramebuffer;
    public int UnpackAlignment, UnpackRowLength, UnpackSkipRows, UnpackSkipPixels, UnpackSkipImages, UnpackImageHeight, UnpackSwapBytes;
    public int PackAlignment, PackRowLength, PackSkipRows, PackSkipPixels, PackSwapBytes;

    /// <summary>glGet calls one capture makes (the CPU cost a host that restores state itself can skip).</summary>
    public const int QueryCount = 39 + 3 * TextureUnits; // 48: counted in Capture below

    public static GlStateSnapshot Capture(GL gl)
    {
        var s = default(GlStateSnapshot);
        s.Program = gl.GetInteger(GLEnum.CurrentProgram);
        s.VertexArray = gl.GetInteger(GLEnum.VertexArrayBinding);
        s.ArrayBuffer = gl.GetInteger(GLEnum.ArrayBufferBinding);
        s.UnpackBuffer = gl.GetInteger(GLEnum.PixelUnpackBufferBinding);
        s.PackBuffer = gl.GetInteger(GLEnum.PixelPackBufferBinding);
        s.ActiveTexture = gl.GetInteger(GLEnum.ActiveTexture);
        for (int unit = 0; unit < TextureUnits; unit++)
        {
            gl.ActiveTexture(TextureUnit.Texture0 + unit);
            s.Texture2D[unit] = gl.GetInteger(GLEnum.TextureBinding2D);
            s.Texture2DArray[unit] = gl.GetInteger(GLEnum.TextureBinding2DArray);
            s.Sampler[unit] = gl.GetInteger(GLEnum.SamplerBinding);
        }
        gl.ActiveTexture((TextureUnit)s.ActiveTexture);
        s.Blend = gl.IsEnabled(EnableCap.Blend);
        s.DepthTest = gl.IsEnabled(EnableCap.DepthTest);
        s.CullFace = gl.IsEnabled(EnableCap.CullFace);
        s.ScissorTest = gl.IsEnabled(EnableCap.ScissorTest);
        s.StencilTest = gl.IsEnabled(EnableCap.StencilTest);
        s.FramebufferSrgb = gl.IsEnabled(EnableCap.FramebufferSrgb);
        s.ColorLogicOp = gl.IsEnabled(EnableCap.ColorLogicOp);
        s.RasterizerDiscard = gl.IsEnabled(EnableCap.RasterizerDiscard);
        s.AlphaToCoverage = gl.IsEnabled(EnableCap.SampleAlphaToCoverage);
        // Core profiles keep one mode for both faces; a compatibility context's query writes two values.
        int* polygonMode = stackalloc int[2];
        gl.GetInteger(GLEnum.PolygonMode, polygonMode);
        s.PolygonMode = polygonMode[0];
        s.BlendSrcRgb = gl.GetInteger(GLEnum.BlendSrcRgb);
        s.BlendDstRgb = gl.GetInteger(GLEnum.BlendDstRgb);
        s.BlendSrcAlpha = gl.GetInteger(GLEnum.BlendSrcAlpha);
        s.BlendDstAlpha = gl.GetInteger(GLEnum.BlendDstAlpha);
        s.BlendEquationRgb = gl.GetInteger(GLEnum.BlendEquationRgb);
        s.BlendEquationAlpha = gl.GetInteger(GLEnum.BlendEquationAlpha);
        gl.GetInteger(GLEnum.ColorWritemask, s.ColorMask);
        gl.GetInteger(GLEnum.Viewport, s.Viewport);
        gl.GetInteger(GLEnum.ScissorBox, s.Scissor);
        s.DrawFramebuffer = gl.GetInteger(GLEnum.DrawFramebufferBinding);
        s.ReadFramebuffer = gl.GetInteger(GLEnum.ReadFramebufferBinding);
        s.UnpackAlignment = gl.GetInteger(GLEnum.UnpackAlignment);
        s.UnpackRowLength = gl.GetInteger(GLEnum.UnpackRowLength);
        s.UnpackSkipRows = gl.GetInteger(GLEnum.UnpackSkipRows);
        s.UnpackSkipPixels = gl.GetInteger(GLEnum.UnpackSkipPixels);
        s.UnpackSkipImages = gl.GetInteger(GLEnum.UnpackSkipImages);
        s.UnpackImageHeight = gl.GetInteger(GLEnum.UnpackImageHeight);
        s.UnpackSwapBytes = gl.GetInteger(GLEnum.UnpackSwapBytes);
        s.PackAlignment = gl.GetInteger(GLEnum.PackAlignment);
        s.PackRowLength = gl.GetInteger(GLEnum.PackRowLength);
        s.PackSkipRows = gl.GetInteger(GLEnum.PackSkipRows);
        s.PackSkipPixels = gl.GetInteger(GLEnum.PackSkipPixels);
        s.PackSwapBytes = gl.GetInteger(GLEnum.PackSwapBytes);
        return s;
    }

    public readonly void Restore(GL gl)
    {
        gl.UseProgram((uint)Program);
        gl.BindVertexArray((uint)VertexArray);
        gl.BindBuffer(BufferTargetARB.ArrayBuffer, (uint)ArrayBuffer);
        gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, (uint)UnpackBuffer);
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, (uint)PackBuffer);
        for (int unit = 0; unit < TextureUnits; unit++)
        {
            gl.ActiveTexture(TextureUnit.Texture0 + unit);
            gl.BindTexture(TextureTarget.Texture2D, (uint)Texture2D[unit]);
            gl.BindTexture(TextureTarget.Texture2DArray, (uint)Texture2DArray[unit]);
            gl.BindSampler((uint)unit, (uint)Sampler[unit]);
        }
        gl.ActiveTexture((TextureUnit)ActiveTexture);
        SetEnabled(gl, EnableCap.Blend, Blend);
        SetEnabled(gl, EnableCap.DepthTest, DepthTest);
        SetEnabled(gl, EnableCap.CullFace, CullFace);
        SetEnabled(gl, EnableCap.ScissorTest, ScissorTest);
        SetEnabled(gl, EnableCap.StencilTest, StencilTest);
        SetEnabled(gl, EnableCap.FramebufferSrgb, FramebufferSrgb);
        SetEnabled(gl, EnableCap.ColorLogicOp, ColorLogicOp);
        SetEnabled(gl, EnableCap.RasterizerDiscard, RasterizerDiscard);
        SetEnabled(gl, EnableCap.SampleAlphaToCoverage, AlphaToCoverage);
        gl.PolygonMode(TriangleFace.FrontAndBack, (PolygonMode)PolygonMode);
        gl.BlendFuncSeparate((BlendingFactor)BlendSrcRgb, (BlendingFactor)BlendDstRgb, (BlendingFactor)BlendSrcAlpha, (BlendingFactor)BlendDstAlpha);
        gl.BlendEquationSeparate((BlendEquationModeEXT)BlendEquationRgb, (BlendEquationModeEXT)BlendEquationAlpha);
        gl.ColorMask(ColorMask[0] != 0, ColorMask[1] != 0, ColorMask[2] != 0, ColorMask[3] != 0);
        gl.Viewport(Viewport[0], Viewport[1], (uint)Viewport[2], (uint)Viewport[3]);
        gl.Scissor(Scissor[0], Scissor[1], (uint)Scissor[2], (uint)Scissor[3]);
        gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, (uint)DrawFramebuffer);
        gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, (uint)ReadFramebuffer);
        gl.PixelStore(PixelStoreParameter.UnpackAlignment, UnpackAlignment);
        gl.PixelStore(PixelStoreParameter.UnpackRowLength, UnpackRowLength);
        gl.PixelStore(PixelStoreParameter.UnpackSkipRows, UnpackSkipRows);
        gl.PixelStore(PixelStoreParameter.UnpackSkipPixels, UnpackSkipPixels);
        gl.PixelStore(PixelStoreParameter.UnpackSkipImages, UnpackSkipImages);
        gl.PixelStore(PixelStoreParameter.UnpackImageHeight, UnpackImageHeight);
        gl.PixelStore(PixelStoreParameter.UnpackSwapBytes, UnpackSwapBytes);
        gl.PixelStore(PixelStoreParameter.PackAlignment, PackAlignment);
        gl.PixelStore(PixelStoreParameter.PackRowLength, PackRowLength);
        gl.PixelStore(PixelStoreParameter.PackSkipRows, PackSkipRows);
        gl.PixelStore(PixelStoreParameter.PackSkipPixels, PackSkipPixels);
        gl.PixelStore(PixelStoreParameter.PackSwapBytes, PackSwapBytes);
    }

    public static void SetEnabled(GL gl, EnableCap cap, bool on)
    {
        if (on)
        {
            gl.Enable(cap);
        }
        else
        {
            gl.Disable(cap);
        }
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
