using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Processing;

/// <summary>
/// Maps a frame of one size to the model's input tensor and the model's boxes back to the frame: resize keeping
/// aspect (bilinear, align_corners=False, like torch), channel order and normalisation of the contract, zero
/// padding to the contract's multiple (bottom and right, so coordinates need no offset). Built once per
/// (frame size, format, policy) and reused: the tap tables are computed here, never per frame. A YUV 4:2:0 frame
/// is converted, resized and normalised in the same single pass at the model's resolution: each resize tap is
/// converted to RGB (chroma of its 2x2 block, clamped as FFmpeg's converter does) and the taps are blended, so
/// the tensor is the one the RGB path makes from the frame converted at full size, without making that image.
/// </summary>
internal sealed class InputTransform
{
    private readonly int[] _x0, _x1;
    private readonly float[] _wx;
    private readonly int[] _y0, _y1;
    private readonly float[] _wy;
    private readonly int[] _channelOffset = new int[3];
    private readonly float[] _gain = new float[3];
    private readonly float[] _bias = new float[3];
    private readonly bool _bgrOrder;

    public InputTransform(int sourceWidth, int sourceHeight, PixelFormat format, SizePolicy policy, InputEncoding encoding, int padMultiple)
    {
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
        Format = format;
        (InputWidth, InputHeight, _) = policy.Apply(sourceWidth, sourceHeight);
        int pad = Math.Max(1, padMultiple);
        TensorWidth = (InputWidth + pad - 1) / pad * pad;
        TensorHeight = (InputHeight + pad - 1) / pad * pad;
        ScaleX = (float)InputWidth / sourceWidth;
        ScaleY = (float)InputHeight / sourceHeight;

        (_x0, _x1, _wx) = Taps(sourceWidth, InputWidth);
        (_y0, _y1, _wy) = Taps(sourceHeight, InputHeight);

        _bgrOrder = encoding != InputEncoding.Rgb01;
        // YUV frames are converted to RGB per resize tap (below); the packed formats are read at their offsets.
        var (r, g, b) = format == PixelFormat.Yuv420 ? (0, 1, 2) : format.ChannelOffsets();
        if (encoding == InputEncoding.Rgb01)
        {
            _channelOffset[0] = r; _channelOffset[1] = g; _channelOffset[2] = b;
            _gain[0] = _gain[1] = _gain[2] = 1f / 255f;
        }
        else
        {
            _channelOffset[0] = b; _channelOffset[1] = g; _channelOffset[2] = r;
            _gain[0] = _gain[1] = _gain[2] = 1f;
            for (int c = 0; c < 3; c++)
            {
                _bias[c] = -ModelLayout.ZooMeanBgr[c];
            }
        }
    }

    public int SourceWidth { get; }

    public int SourceHeight { get; }

    public PixelFormat Format { get; }

    /// <summary>Size of the resized image inside the tensor.</summary>
    public int InputWidth { get; }

    public int InputHeight { get; }

    /// <summary>Size of the tensor (input size padded to the contract's multiple).</summary>
    public int TensorWidth { get; }

    public int TensorHeight { get; }

    public float ScaleX { get; }

    public float ScaleY { get; }

    public bool Matches(Frame frame) =>
        frame.Width == SourceWidth && frame.Height == SourceHeight && frame.Format == Format;

    /// <summary>Writes <paramref name="frame"/> as planar [3, TensorHeight, TensorWidth] floats.</summary>
    public void Apply(Frame frame, Span<float> tensor)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (!Matches(frame))
        {
            throw new ArgumentException($"transform was built for {SourceWidth}x{SourceHeight} {Format}, frame is {frame.Width}x{frame.Height} {frame.Format}");
        }
        int plane = TensorWidth * TensorHeight;
        if (tensor.Length < 3 * plane)
        {
            throw new ArgumentException($"tensor holds {tensor.Length} floats, needs {3 * plane}", nameof(tensor));
        }
        bool identity = InputWidth == SourceWidth && InputHeight == SourceHeight;
        int bpp = frame.Format.BytesPerPixel();
        var c0 = tensor[..plane];
        var c1 = tensor.Slice(plane, plane);
        var c2 = tensor.Slice(2 * plane, plane);
        bool yuv = frame.Format == PixelFormat.Yuv420;
        var coefficients = yuv ? frame.Color.Coefficients() : default;
        for (int y = 0; y < InputHeight; y++)
        {
            var r0 = c0.Slice(y * TensorWidth, InputWidth);
            var r1 = c1.Slice(y * TensorWidth, InputWidth);
            var r2 = c2.Slice(y * TensorWidth, InputWidth);
            // All three channels in one pass: each source pixel (and its resize taps) is read once.
            if (yuv)
            {
                YuvRow(frame, y, coefficients, _bgrOrder ? r2 : r0, r1, _bgrOrder ? r0 : r2);
            }
            else if (identity)
            {
                Deinterleave(frame.Row(y), bpp, r0, r1, r2);
            }
            else
            {
                ResizeRow(frame.Row(_y0[y]), frame.Row(_y1[y]), _wy[y], bpp, r0, r1, r2);
            }
            Normalize(r0, 0);
            Normalize(r1, 1);
            Normalize(r2, 2);
            int padFrom = y * TensorWidth + InputWidth, padLength = TensorWidth - InputWidth;
            c0.Slice(padFrom, padLength).Clear();
            c1.Slice(padFrom, padLength).Clear();
            c2.Slice(padFrom, padLength).Clear();
        }
        c0[(InputHeight * TensorWidth)..].Clear();
        c1[(InputHeight * TensorWidth)..].Clear();
        c2[(InputHeight * TensorWidth)..].Clear();
    }

    // Normalisation over a whole row at once: SIMD through TensorPrimitives.
    private void Normalize(Span<float> row, int channel)
    {
        if (_gain[channel] != 1f)
        {
            TensorPrimitives.Multiply(row, _gain[channel], row);
        }
        if (_bias[channel] != 0f)
        {
            TensorPrimitives.Add(row, _bias[channel], row);
        }
    }

    /// <summary>Maps a box from tensor pixels to frame pixels, clipped to the frame.</summary>
    public BoxF Invert(in BoxF inputBox) =>
        inputBox.Scale(1f / ScaleX, 1f / ScaleY).Clip(SourceWidth, SourceHeight);

    private void Deinterleave(ReadOnlySpan<byte> src, int bpp, Span<float> d0, Span<float> d1, Span<float> d2)
    {
        int o0 = _channelOffset[0], o1 = _channelOffset[1], o2 = _channelOffset[2];
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref float p0 = ref MemoryMarshal.GetReference(d0);
        ref float p1 = ref MemoryMarshal.GetReference(d1);
        ref float p2 = ref MemoryMarshal.GetReference(d2);
        for (int x = 0, i = 0; x < d0.Length; x++, i += bpp)
        {
            Unsafe.Add(ref p0, x) = Unsafe.Add(ref s, i + o0);
            Unsafe.Add(ref p1, x) = Unsafe.Add(ref s, i + o1);
            Unsafe.Add(ref p2, x) = Unsafe.Add(ref s, i + o2);
        }
    }

    // Bounds were proven when the tap tables were built (every tap indexes inside the source row), so the
    // inner loop reads through refs without per-sample checks.
    private void ResizeRow(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, float wy, int bpp, Span<float> d0, Span<float> d1, Span<float> d2)
    {
        int o0 = _channelOffset[0], o1 = _channelOffset[1], o2 = _channelOffset[2];
        ref byte t = ref MemoryMarshal.GetReference(top);
        ref byte u = ref MemoryMarshal.GetReference(bottom);
        ref float p0 = ref MemoryMarshal.GetReference(d0);
        ref float p1 = ref MemoryMarshal.GetReference(d1);
        ref float p2 = ref MemoryMarshal.GetReference(d2);
        ref int x0s = ref MemoryMarshal.GetArrayDataReference(_x0);
        ref int x1s = ref MemoryMarshal.GetArrayDataReference(_x1);
        ref float wxs = ref MemoryMarshal.GetArrayDataReference(_wx);
        float wy0 = 1f - wy;
        for (int x = 0; x < d0.Length; x++)
        {
            int a = Unsafe.Add(ref x0s, x) * bpp, b = Unsafe.Add(ref x1s, x) * bpp;
            float wx = Unsafe.Add(ref wxs, x), wx0 = 1f - wx;
            Unsafe.Add(ref p0, x) = Lerp(ref t, ref u, a + o0, b + o0, wx0, wx, wy0, wy);
            Unsafe.Add(ref p1, x) = Lerp(ref t, ref u, a + o1, b + o1, wx0, wx, wy0, wy);
            Unsafe.Add(ref p2, x) = Lerp(ref t, ref u, a + o2, b + o2, wx0, wx, wy0, wy);
        }
    }

    // One output row from the three planes: the four taps of each output pixel are converted (with the chroma of
    // their 2x2 block) and clamped, then blended with the bilinear weights. Luma and chroma rows of both source
    // rows are taken once per output row; the tap tables bound every index, as for the packed path.
    private void YuvRow(Frame frame, int y, in YuvToRgb k, Span<float> red, Span<float> green, Span<float> blue)
    {
        int lumaStride = frame.Stride, chromaStride = lumaStride / 2;
        int top = _y0[y], bottom = _y1[y];
        float wy = _wy[y], wy0 = 1f - wy;
        ref byte luma = ref MemoryMarshal.GetReference(frame.Plane(0));
        ref byte u = ref MemoryMarshal.GetReference(frame.Plane(1));
        ref byte v = ref MemoryMarshal.GetReference(frame.Plane(2));
        ref byte yTop = ref Unsafe.Add(ref luma, top * lumaStride);
        ref byte yBottom = ref Unsafe.Add(ref luma, bottom * lumaStride);
        ref byte uTop = ref Unsafe.Add(ref u, (top >> 1) * chromaStride);
        ref byte uBottom = ref Unsafe.Add(ref u, (bottom >> 1) * chromaStride);
        ref byte vTop = ref Unsafe.Add(ref v, (top >> 1) * chromaStride);
        ref byte vBottom = ref Unsafe.Add(ref v, (bottom >> 1) * chromaStride);
        ref float pr = ref MemoryMarshal.GetReference(red);
        ref float pg = ref MemoryMarshal.GetReference(green);
        ref float pb = ref MemoryMarshal.GetReference(blue);
        ref int x0s = ref MemoryMarshal.GetArrayDataReference(_x0);
        ref int x1s = ref MemoryMarshal.GetArrayDataReference(_x1);
        ref float wxs = ref MemoryMarshal.GetArrayDataReference(_wx);
        // The four taps side by side in one vector per plane: one conversion and clamp for all four, then the
        // bilinear weights as a dot product per channel.
        var lumaScale = new Vector4(k.LumaScale);
        var lumaOffset = new Vector4(k.LumaOffset);
        var half = new Vector4(128f);
        var max = new Vector4(255f);
        for (int x = 0; x < red.Length; x++)
        {
            int a = Unsafe.Add(ref x0s, x), b = Unsafe.Add(ref x1s, x);
            float wx = Unsafe.Add(ref wxs, x), wx0 = 1f - wx;
            var weights = new Vector4(wx0 * wy0, wx * wy0, wx0 * wy, wx * wy);
            var l = (new Vector4(Unsafe.Add(ref yTop, a), Unsafe.Add(ref yTop, b), Unsafe.Add(ref yBottom, a), Unsafe.Add(ref yBottom, b)) - lumaOffset) * lumaScale;
            var cb = new Vector4(Unsafe.Add(ref uTop, a >> 1), Unsafe.Add(ref uTop, b >> 1), Unsafe.Add(ref uBottom, a >> 1), Unsafe.Add(ref uBottom, b >> 1)) - half;
            var cr = new Vector4(Unsafe.Add(ref vTop, a >> 1), Unsafe.Add(ref vTop, b >> 1), Unsafe.Add(ref vBottom, a >> 1), Unsafe.Add(ref vBottom, b >> 1)) - half;
            var r = Vector4.Clamp(l + cr * k.CrToRed, Vector4.Zero, max);
            var g = Vector4.Clamp(l - cb * k.CbToGreen - cr * k.CrToGreen, Vector4.Zero, max);
            var bl = Vector4.Clamp(l + cb * k.CbToBlue, Vector4.Zero, max);
            Unsafe.Add(ref pr, x) = Vector4.Dot(r, weights);
            Unsafe.Add(ref pg, x) = Vector4.Dot(g, weights);
            Unsafe.Add(ref pb, x) = Vector4.Dot(bl, weights);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Lerp(ref byte top, ref byte bottom, int a, int b, float wx0, float wx, float wy0, float wy) =>
        (Unsafe.Add(ref top, a) * wx0 + Unsafe.Add(ref top, b) * wx) * wy0 +
        (Unsafe.Add(ref bottom, a) * wx0 + Unsafe.Add(ref bottom, b) * wx) * wy;

    // Bilinear taps for align_corners=False (PyTorch's area_pixel_compute_source_index).
    private static (int[] I0, int[] I1, float[] W) Taps(int inSize, int outSize)
    {
        var i0 = new int[outSize];
        var i1 = new int[outSize];
        var w = new float[outSize];
        float scale = (float)inSize / outSize;
        for (int d = 0; d < outSize; d++)
        {
            float src = Math.Max(scale * (d + 0.5f) - 0.5f, 0f);
            int lo = Math.Min((int)src, inSize - 1);
            i0[d] = lo;
            i1[d] = lo < inSize - 1 ? lo + 1 : lo;
            w[d] = src - lo;
        }
        return (i0, i1, w);
    }
}
