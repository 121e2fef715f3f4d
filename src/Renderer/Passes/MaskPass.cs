using RealtimeSeg.Renderer.Graphics;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;
using Silk.NET.OpenGL;
using GLPixelFormat = Silk.NET.OpenGL.PixelFormat;

namespace RealtimeSeg.Renderer.Passes;

/// <summary>
/// Mask fills and outlines, one instanced draw for every instance: raw M×M masks pasted in the fragment shader
/// with torchvision's rule (from a float texture array, one layer per instance), or full-resolution bitmaps
/// (from an R8 texture array). Texture arrays grow and are reused.
/// </summary>
internal sealed unsafe class MaskPass
{
    private const int Floats = 15; // paste rect clipped 4, paste rect 4, colour 4, layer 1, bitmap source size 2
    private readonly GL _gl;
    private readonly ShaderProgram _program;
    private readonly InstanceStream _instances;
    private readonly uint _rawTexture, _bitmapTexture;
    private int _rawLayers, _rawSize, _bitmapLayers, _bitmapLayerWidth, _bitmapLayerHeight;

    public MaskPass(GL gl, GlObjects objects)
    {
        _gl = gl;
        _program = objects.Program("mask");
        _instances = new InstanceStream(gl, objects, Floats, [4, 4, 4, 1, 2], 32);
        _rawTexture = PassMath.CreateTexture(gl, objects, TextureTarget.Texture2DArray, GLEnum.Nearest);
        _bitmapTexture = PassMath.CreateTexture(gl, objects, TextureTarget.Texture2DArray, GLEnum.Nearest);
    }

    // boxes: Where each instance is drawn: its own box, or moved to the drawn frame's time (live). A raw
    // mask is pasted into it; a bitmap's bounds are moved and scaled with the box.
    public void Draw(InstanceSet instances, ReadOnlySpan<BoxF> boxes, ReadOnlySpan<int> colours, PassTarget target, OverlayOptions options, int frameWidth, int frameHeight)
    {
        bool raw = instances.MaskKind == MaskKind.Raw;
        _gl.ActiveTexture(TextureUnit.Texture0);
        _gl.BindTexture(TextureTarget.Texture2DArray, raw ? _rawTexture : _bitmapTexture);
        if (raw)
        {
            UploadRaw(instances);
        }
        else
        {
            UploadBitmaps(instances);
        }
        for (int i = 0; i < instances.Count; i++)
        {
            int x0, y0, w, h, sourceW = 0, sourceH = 0;
            if (raw)
            {
                var (bx0, by0, bx1, by1) = MaskPaste.ExpandedBox(boxes[i], instances.RawMaskSize);
                (x0, y0, w, h) = (bx0, by0, Math.Max(bx1 - bx0 + 1, 1), Math.Max(by1 - by0 + 1, 1));
            }
            else
            {
                var b = instances.StoredBitmap(i).Bounds;
                (sourceW, sourceH) = (b.Width, b.Height);
                (x0, y0, w, h) = MaskPaste.MovedBounds(b, instances.Boxes[i], boxes[i]);
            }
            // Rasterise the paste rectangle clipped to the frame; the shader maps each pixel back into the mask.
            var d = _instances.Instance(i);
            d[0] = Math.Max(x0, 0);
            d[1] = Math.Max(y0, 0);
            d[2] = Math.Min(x0 + w, frameWidth);
            d[3] = Math.Min(y0 + h, frameHeight);
            (d[4], d[5], d[6], d[7]) = (x0, y0, w, h);
            PassMath.WriteColour(d.Slice(8, 4), colours[i], 1f);
            d[12] = i;
            (d[13], d[14]) = (sourceW, sourceH);
        }
        if (instances.Count == 0)
        {
            return;
        }
        _gl.UseProgram(_program.Handle);
        target.SetUniforms(_gl, _program);
        _gl.Uniform1(_program.Uniform("uMasks"), 0);
        _gl.Uniform1(_program.Uniform("uRawMasks"), raw ? 1 : 0);
        _gl.Uniform1(_program.Uniform("uMaskSize"), raw ? instances.RawMaskSize : 0);
        _gl.Uniform1(_program.Uniform("uFillAlpha"), options.MaskAlpha);
        _gl.Uniform1(_program.Uniform("uOutlineFramePixels"), options.Outlines ? Math.Max(1f, options.OutlinePixels / target.Layout.Scale) : 0f);
        _gl.Uniform2(_program.Uniform("uFrameSize"), (float)frameWidth, (float)frameHeight);
        _instances.Draw(instances.Count);
    }

    /// <summary>Forgets the arrays' sizes (after a failed draw): the next draw allocates them again.</summary>
    public void Forget() => (_rawLayers, _rawSize, _bitmapLayers, _bitmapLayerWidth, _bitmapLayerHeight) = (0, 0, 0, 0, 0);

    private void UploadRaw(InstanceSet instances)
    {
        int m = instances.RawMaskSize;
        // The array's layer count and mask size: a model with another mask size needs a new allocation too.
        if (instances.Count > _rawLayers || m != _rawSize)
        {
            int layers = Math.Max(instances.Count, Math.Max(16, _rawLayers * 2));
            _gl.TexImage3D(TextureTarget.Texture2DArray, 0, InternalFormat.R32f, (uint)m, (uint)m, (uint)layers, 0, GLPixelFormat.Red, PixelType.Float, null);
            (_rawLayers, _rawSize) = (layers, m);
        }
        _gl.PixelStore(PixelStoreParameter.UnpackAlignment, 4);
        _gl.PixelStore(PixelStoreParameter.UnpackRowLength, 0);
        fixed (float* p = instances.RawMasks)
        {
            _gl.TexSubImage3D(TextureTarget.Texture2DArray, 0, 0, 0, 0, (uint)m, (uint)m, (uint)instances.Count, GLPixelFormat.Red, PixelType.Float, p);
        }
    }

    private void UploadBitmaps(InstanceSet instances)
    {
        int maxW = 1, maxH = 1;
        for (int i = 0; i < instances.Count; i++)
        {
            var b = instances.StoredBitmap(i).Bounds;
            (maxW, maxH) = (Math.Max(maxW, b.Width), Math.Max(maxH, b.Height));
        }
        if (instances.Count > _bitmapLayers || maxW > _bitmapLayerWidth || maxH > _bitmapLayerHeight)
        {
            int layers = Math.Max(instances.Count, Math.Max(_bitmapLayers, 8));
            int width = Math.Max(maxW, _bitmapLayerWidth), height = Math.Max(maxH, _bitmapLayerHeight);
            _gl.TexImage3D(TextureTarget.Texture2DArray, 0, InternalFormat.R8, (uint)width, (uint)height, (uint)layers, 0, GLPixelFormat.Red, PixelType.UnsignedByte, null);
            (_bitmapLayers, _bitmapLayerWidth, _bitmapLayerHeight) = (layers, width, height);
        }
        _gl.PixelStore(PixelStoreParameter.UnpackAlignment, 1);
        _gl.PixelStore(PixelStoreParameter.UnpackRowLength, 0);
        for (int i = 0; i < instances.Count; i++)
        {
            var bitmap = instances.StoredBitmap(i);
            if (bitmap.Bounds.IsEmpty)
            {
                continue;
            }
            fixed (byte* p = bitmap.Data)
            {
                _gl.TexSubImage3D(TextureTarget.Texture2DArray, 0, 0, 0, i, (uint)bitmap.Bounds.Width, (uint)bitmap.Bounds.Height, 1, GLPixelFormat.Red, PixelType.UnsignedByte, p);
            }
        }
    }
}
