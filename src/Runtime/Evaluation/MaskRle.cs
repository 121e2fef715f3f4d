using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Evaluation;

/// <summary>
/// COCO's uncompressed run-length encoding: runs over the image in column-major order (down each column,
/// left to right), alternating background and mask, starting with background (a first run may be 0).
/// </summary>
internal static class MaskRle
{
    public static List<int> Encode(MaskBitmap mask, int width, int height) => Encode(mask, width, height, new List<int>());

    /// <summary>The runs into <paramref name="runs"/> (cleared first; reused from frame to frame by writers of many masks).</summary>
    public static List<int> Encode(MaskBitmap mask, int width, int height, List<int> runs)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(runs);
        runs.Clear();
        bool current = false;
        int run = 0;
        for (int x = 0; x < width; x++)
        {
            bool inColumn = x >= mask.Bounds.X0 && x < mask.Bounds.X1;
            for (int y = 0; y < height; y++)
            {
                bool v = inColumn && mask[x, y];
                if (v != current)
                {
                    runs.Add(run);
                    current = v;
                    run = 0;
                }
                run++;
            }
        }
        runs.Add(run);
        return runs;
    }

    /// <summary>Decodes into <paramref name="into"/>, whose bounds become the whole image.</summary>
    public static void Decode(IReadOnlyList<int> counts, int width, int height, MaskBitmap into)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(into);
        var data = into.Reset(new PixelRect(0, 0, width, height));
        long total = 0;
        int pos = 0;
        bool value = false;
        foreach (int run in counts)
        {
            total += run;
            if (run < 0 || total > (long)width * height)
            {
                throw new RealtimeSegException($"RLE counts cover {total} pixels, more than the {width}x{height} image");
            }
            for (int i = 0; i < run; i++, pos++)
            {
                if (value)
                {
                    data[(pos % height) * width + pos / height] = 1;
                }
            }
            value = !value;
        }
    }
}
