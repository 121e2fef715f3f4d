using System.Numerics.Tensors;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Processing;

/// <summary>
/// Maps a frame of one size to the model's input tensor and the model's boxes back to the frame: resize keeping
/// aspect (bilinear, align_corners=False, like torch), channel order and normalisation of the contract, zero
/// padding to the contract's multiple (bottom and right, so coordinates need no offset). Built once per
/// (frame size, format, policy) and reused: the tap tables are computed here, never per frame.
/// </summary>
public sealed class InputTransform
{
    private readonly int[] _x0, _x1;
    private readonly float[] _wx;
    private readonly int[] _y0, _y1;
    private readonly float[] _wy;
    private readonly int[] _channelOffset = new int[3];
    private readonly float[] _gain = new float[3];
    private readonly float[] _bias = new float[3];

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

        var (r, g, b) = format.ChannelOffsets();
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
        for (int c = 0; c < 3; c++)
        {
            var dst = tensor.Slice(c * plane, plane);
            int offset = _channelOffset[c];
            for (int y = 0; y < InputHeight; y++)
            {
                var row = dst.Slice(y * TensorWidth, InputWidth);
                if (identity)
                {
                    CopyChannel(frame.Row(y), bpp, offset, row);
                }
                else
                {
                    ResizeRow(frame.Row(_y0[y]), frame.Row(_y1[y]), _wy[y], bpp, offset, row);
                }
                // Normalisation over the whole row at once: SIMD through TensorPrimitives.
                if (_gain[c] != 1f)
                {
                    TensorPrimitives.Multiply(row, _gain[c], row);
                }
                if (_bias[c] != 0f)
                {
                    TensorPrimitives.Add(row, _bias[c], row);
                }
                dst.Slice(y * TensorWidth + InputWidth, TensorWidth - InputWidth).Clear();
            }
            dst[(InputHeight * TensorWidth)..].Clear();
        }
    }

    /// <summary>Maps a box from tensor pixels to frame pixels, clipped to the frame.</summary>
    public BoxF Invert(in BoxF inputBox) =>
        inputBox.Scale(1f / ScaleX, 1f / ScaleY).Clip(SourceWidth, SourceHeight);

    private static void CopyChannel(ReadOnlySpan<byte> src, int bpp, int offset, Span<float> dst)
    {
        for (int x = 0; x < dst.Length; x++)
        {
            dst[x] = src[x * bpp + offset];
        }
    }

    private void ResizeRow(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, float wy, int bpp, int offset, Span<float> dst)
    {
        float wy0 = 1f - wy;
        for (int x = 0; x < dst.Length; x++)
        {
            int a = _x0[x] * bpp + offset, b = _x1[x] * bpp + offset;
            float wx = _wx[x];
            float t = top[a] + (top[b] - top[a]) * wx;
            float u = bottom[a] + (bottom[b] - bottom[a]) * wx;
            dst[x] = t * wy0 + u * wy;
        }
    }

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
