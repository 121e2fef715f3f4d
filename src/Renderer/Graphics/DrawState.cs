using Silk.NET.OpenGL;

namespace RealtimeSeg.Renderer.Graphics;

/// <summary>
/// The state RealtimeSeg's draws, uploads and readbacks assume, set in full before they run: whatever else a host
/// left set (a mipmapped sampler, polygon mode LINE, a logic op, skipped unpack rows, its own unpack buffer) never
/// reaches our picture, our textures or our memory. Callers restore the host's values (<see cref="GlStateSnapshot"/>).
/// </summary>
internal static class DrawState
{
    /// <summary>Rasterisation and per-fragment state for an opaque or blended full-colour draw, blending aside.</summary>
    public static void SetRaster(GL gl)
    {
        gl.Disable(EnableCap.DepthTest);
        gl.Disable(EnableCap.CullFace);
        gl.Disable(EnableCap.ScissorTest);
        gl.Disable(EnableCap.StencilTest);
        gl.Disable(EnableCap.FramebufferSrgb);
        gl.Disable(EnableCap.ColorLogicOp); // with a logic op on, blending is ignored
        gl.Disable(EnableCap.RasterizerDiscard);
        gl.Disable(EnableCap.SampleAlphaToCoverage); // a multisampled host target would dither our alpha
        gl.PolygonMode(TriangleFace.FrontAndBack, PolygonMode.Fill);
        gl.ColorMask(true, true, true, true);
    }

    /// <summary>
    /// Unpacking from our own memory: no unpack buffer (a host's bound one would turn our pointers into offsets into
    /// it), and no skipped rows, pixels or images, image height or byte swapping (a host's skip reads past our
    /// arrays: Mesa crashes on UNPACK_SKIP_ROWS 4000). Alignment and row length are set by each upload.
    /// </summary>
    public static void SetUnpack(GL gl)
    {
        gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, 0);
        gl.PixelStore(PixelStoreParameter.UnpackSkipRows, 0);
        gl.PixelStore(PixelStoreParameter.UnpackSkipPixels, 0);
        gl.PixelStore(PixelStoreParameter.UnpackSkipImages, 0);
        gl.PixelStore(PixelStoreParameter.UnpackImageHeight, 0);
        gl.PixelStore(PixelStoreParameter.UnpackSwapBytes, 0);
    }

    /// <summary>Packing into our memory or pack buffers: rows from the first, bytes in order, at the given alignment and row length.</summary>
    public static void SetPack(GL gl, int alignment, int rowLength)
    {
        gl.PixelStore(PixelStoreParameter.PackSkipRows, 0);
        gl.PixelStore(PixelStoreParameter.PackSkipPixels, 0);
        gl.PixelStore(PixelStoreParameter.PackSwapBytes, 0);
        gl.PixelStore(PixelStoreParameter.PackAlignment, alignment);
        gl.PixelStore(PixelStoreParameter.PackRowLength, rowLength);
    }
}
