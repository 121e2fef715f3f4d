using System.Buffers;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Processing;

/// <summary>
/// Pastes an M×M mask (probabilities, from the mask head) into its box at frame resolution and thresholds it,
/// exactly as torchvision's <c>paste_masks_in_image</c> does: pad the mask by one cell, grow the box by the same
/// ratio, truncate it to integers, resize bilinearly (align_corners=False) to the box's pixel size, threshold 0.5.
/// The renderer's GPU paste uses the same rule, so both agree with PyTorch.
/// </summary>
internal static class MaskPaste
{
    public const float Threshold = 0.5f;

    /// <summary>The integer box the padded mask is stretched over (inclusive corners), as torchvision computes it.</summary>
    public static (int X0, int Y0, int X1, int Y1) ExpandedBox(in BoxF box, int maskSize)
    {
        float scale = (maskSize + 2f) / maskSize;
        float wHalf = (box.X2 - box.X1) * 0.5f * scale;
        float hHalf = (box.Y2 - box.Y1) * 0.5f * scale;
        float cx = (box.X2 + box.X1) * 0.5f;
        float cy = (box.Y2 + box.Y1) * 0.5f;
        // (int) truncates toward zero, as torch's .to(torch.int64) does.
        return ((int)(cx - wHalf), (int)(cy - hHalf), (int)(cx + wHalf), (int)(cy + hHalf));
    }

    /// <summary>The mask pasted into its box and thresholded, into <paramref name="into"/> (bounds: the box clipped to the image).</summary>
    public static void Paste(ReadOnlySpan<float> mask, int maskSize, in BoxF box, int imageWidth, int imageHeight, MaskBitmap into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var bounds = PastedBounds(mask, maskSize, box, imageWidth, imageHeight);
        var sink = new ThresholdSink(into.Reset(bounds), bounds.Width);
        Paste(mask, maskSize, box, bounds, ref sink);
    }

    /// <summary>
    /// The mask pasted into its box as probabilities over a whole <paramref name="imageWidth"/> x
    /// <paramref name="imageHeight"/> image, zero outside the box: what torchvision's paste returns before the threshold.
    /// </summary>
    public static void PasteProbabilities(ReadOnlySpan<float> mask, int maskSize, in BoxF box, int imageWidth, int imageHeight, Span<float> image)
    {
        if (image.Length != imageWidth * imageHeight)
        {
            throw new ArgumentException($"image has {image.Length} values, expected {imageWidth}x{imageHeight}", nameof(image));
        }
        image.Clear();
        var bounds = PastedBounds(mask, maskSize, box, imageWidth, imageHeight);
        var sink = new ProbabilitySink(image, imageWidth, bounds);
        Paste(mask, maskSize, box, bounds, ref sink);
    }

    private static PixelRect PastedBounds(ReadOnlySpan<float> mask, int maskSize, in BoxF box, int imageWidth, int imageHeight)
    {
        if (mask.Length != maskSize * maskSize)
        {
            throw new ArgumentException($"mask has {mask.Length} values, expected {maskSize}x{maskSize}", nameof(mask));
        }
        var (bx0, by0, bx1, by1) = ExpandedBox(box, maskSize);
        var bounds = new PixelRect(Math.Max(bx0, 0), Math.Max(by0, 0), Math.Min(bx1 + 1, imageWidth), Math.Min(by1 + 1, imageHeight));
        return bounds.IsEmpty ? new PixelRect(0, 0, 0, 0) : bounds;
    }

    // One loop for both outputs; the sink is a struct type parameter, so each use compiles to its own loop with no call.
    private static void Paste<TSink>(ReadOnlySpan<float> mask, int maskSize, in BoxF box, PixelRect bounds, ref TSink sink)
        where TSink : struct, IPasteSink, allows ref struct
    {
        if (bounds.IsEmpty)
        {
            return;
        }
        var (bx0, by0, bx1, by1) = ExpandedBox(box, maskSize);
        int w = Math.Max(bx1 - bx0 + 1, 1);
        int h = Math.Max(by1 - by0 + 1, 1);
        int padded = maskSize + 2;
        int[] rented = ArrayPool<int>.Shared.Rent(bounds.Width * 2);
        float[] lambdas = ArrayPool<float>.Shared.Rent(bounds.Width);
        try
        {
            // Column taps depend only on x: compute them once per mask.
            float scaleX = (float)padded / w;
            for (int i = 0; i < bounds.Width; i++)
            {
                Source(bounds.X0 + i - bx0, scaleX, padded, out rented[2 * i], out rented[2 * i + 1], out lambdas[i]);
            }
            float scaleY = (float)padded / h;
            for (int row = 0; row < bounds.Height; row++)
            {
                Source(bounds.Y0 + row - by0, scaleY, padded, out int y0, out int y1, out float ly);
                for (int i = 0; i < bounds.Width; i++)
                {
                    int x0 = rented[2 * i], x1 = rented[2 * i + 1];
                    float lx = lambdas[i];
                    float top = Padded(mask, maskSize, x0, y0) * (1 - lx) + Padded(mask, maskSize, x1, y0) * lx;
                    float bottom = Padded(mask, maskSize, x0, y1) * (1 - lx) + Padded(mask, maskSize, x1, y1) * lx;
                    sink.Write(row, i, top * (1 - ly) + bottom * ly);
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
            ArrayPool<float>.Shared.Return(lambdas);
        }
    }

    private interface IPasteSink
    {
        /// <summary>The probability at (<paramref name="column"/>, <paramref name="row"/>) of the pasted bounds.</summary>
        void Write(int row, int column, float probability);
    }

    private readonly ref struct ThresholdSink(Span<byte> bounds, int width) : IPasteSink
    {
        private readonly Span<byte> _bounds = bounds;

        public void Write(int row, int column, float probability) =>
            _bounds[row * width + column] = probability > Threshold ? (byte)1 : (byte)0;
    }

    private readonly ref struct ProbabilitySink(Span<float> image, int imageWidth, PixelRect bounds) : IPasteSink
    {
        private readonly Span<float> _image = image;

        public void Write(int row, int column, float probability) =>
            _image[(bounds.Y0 + row) * imageWidth + bounds.X0 + column] = probability;
    }

    // PyTorch's area_pixel_compute_source_index for align_corners=False, then its two taps and weight.
    private static void Source(int dst, float scale, int inputSize, out int i0, out int i1, out float lambda)
    {
        float src = Math.Max(scale * (dst + 0.5f) - 0.5f, 0f);
        i0 = Math.Min((int)src, inputSize - 1);
        i1 = i0 < inputSize - 1 ? i0 + 1 : i0;
        lambda = src - i0;
    }

    // The mask with its one-cell zero border, without materialising it.
    private static float Padded(ReadOnlySpan<float> mask, int m, int x, int y) =>
        x < 1 || y < 1 || x > m || y > m ? 0f : mask[(y - 1) * m + (x - 1)];

    /// <summary>
    /// A full-resolution mask's bounds carried from the box it was computed in to the box it is drawn in (the same
    /// scale about the box, then the shift), in whole pixels as x0, y0, width, height; unchanged when the boxes are
    /// equal. The GPU draws a moved bitmap into exactly this rectangle, nearest pixel (mask.frag), as
    /// <see cref="MoveBitmap"/> does.
    /// </summary>
    public static (int X0, int Y0, int Width, int Height) MovedBounds(PixelRect bounds, in BoxF from, in BoxF to)
    {
        if (from == to)
        {
            return (bounds.X0, bounds.Y0, bounds.Width, bounds.Height);
        }
        float sx = from.Width > 0 ? to.Width / from.Width : 1, sy = from.Height > 0 ? to.Height / from.Height : 1;
        int x0 = (int)MathF.Round(to.X1 + (bounds.X0 - from.X1) * sx), y0 = (int)MathF.Round(to.Y1 + (bounds.Y0 - from.Y1) * sy);
        int x1 = (int)MathF.Round(to.X1 + (bounds.X1 - from.X1) * sx), y1 = (int)MathF.Round(to.Y1 + (bounds.Y1 - from.Y1) * sy);
        return (x0, y0, Math.Max(x1 - x0, 1), Math.Max(y1 - y0, 1));
    }

    /// <summary>
    /// <paramref name="source"/> moved with its box from <paramref name="from"/> to <paramref name="to"/> into
    /// <paramref name="into"/>, clipped to the image: each pixel of the moved bounds takes the source pixel under its
    /// centre (the shader's rule).
    /// </summary>
    public static MaskBitmap MoveBitmap(MaskBitmap source, in BoxF from, in BoxF to, int imageWidth, int imageHeight, MaskBitmap into)
    {
        if (from == to)
        {
            return source.CopyTo(into);
        }
        var s = source.Bounds;
        var (x0, y0, w, h) = MovedBounds(s, from, to);
        var clipped = new PixelRect(Math.Clamp(x0, 0, imageWidth), Math.Clamp(y0, 0, imageHeight), Math.Clamp(x0 + w, 0, imageWidth), Math.Clamp(y0 + h, 0, imageHeight));
        var data = into.Reset(clipped.IsEmpty || s.IsEmpty ? default : clipped);
        if (clipped.IsEmpty || s.IsEmpty)
        {
            return into;
        }
        var sourceData = source.Data;
        for (int y = clipped.Y0; y < clipped.Y1; y++)
        {
            int sy = Math.Min((int)((y - y0 + 0.5f) * s.Height / h), s.Height - 1);
            var row = data.Slice((y - clipped.Y0) * clipped.Width, clipped.Width);
            for (int x = clipped.X0; x < clipped.X1; x++)
            {
                int sx = Math.Min((int)((x - x0 + 0.5f) * s.Width / w), s.Width - 1);
                row[x - clipped.X0] = sourceData[sy * s.Width + sx];
            }
        }
        return into;
    }
}
