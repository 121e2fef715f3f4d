using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.App.Training;

/// <summary>
/// Draws one object's shapes (polygons, circles, pixel masks) over a picture and hands the object out as a
/// <see cref="MaskBitmap"/> cropped to its pixels. A pixel belongs to a shape when its centre lies inside it
/// (even-odd rule for polygons), so a shape's area in pixels matches its drawn area without a one-pixel bias.
/// Reused from object to object: the scratch picture is cleared, not reallocated.
/// </summary>
internal sealed class MaskCanvas
{
    private byte[] _pixels = [];
    private readonly List<double> _crossings = [];

    public int Width { get; private set; }

    public int Height { get; private set; }

    public void Start(int width, int height)
    {
        Width = width;
        Height = height;
        if (_pixels.Length < width * height)
        {
            _pixels = new byte[width * height];
        }
        _pixels.AsSpan(0, width * height).Clear();
    }

    /// <summary>Fills a closed polygon given as x,y pairs in picture pixels (points may lie outside: they are clipped).</summary>
    public void FillPolygon(ReadOnlySpan<double> xy)
    {
        int n = xy.Length / 2;
        double minY = double.MaxValue, maxY = double.MinValue;
        for (int i = 0; i < n; i++)
        {
            minY = Math.Min(minY, xy[2 * i + 1]);
            maxY = Math.Max(maxY, xy[2 * i + 1]);
        }
        int y0 = Math.Max(0, (int)Math.Floor(minY - 0.5)), y1 = Math.Min(Height - 1, (int)Math.Ceiling(maxY - 0.5));
        for (int y = y0; y <= y1; y++)
        {
            double yc = y + 0.5;
            _crossings.Clear();
            for (int i = 0, j = n - 1; i < n; j = i++)
            {
                double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
                if ((yi > yc) != (yj > yc))
                {
                    _crossings.Add(xi + (yc - yi) * (xj - xi) / (yj - yi));
                }
            }
            _crossings.Sort();
            for (int k = 0; k + 1 < _crossings.Count; k += 2)
            {
                // Pixels whose centre x + 0.5 lies in [a, b).
                int a = Math.Max(0, (int)Math.Ceiling(_crossings[k] - 0.5));
                int b = Math.Min(Width, (int)Math.Ceiling(_crossings[k + 1] - 0.5));
                if (b > a)
                {
                    _pixels.AsSpan(y * Width + a, b - a).Fill(1);
                }
            }
        }
    }

    /// <summary>Fills a circle (labelme: a centre and a point on the rim).</summary>
    public void FillCircle(double cx, double cy, double radius)
    {
        int y0 = Math.Max(0, (int)Math.Floor(cy - radius)), y1 = Math.Min(Height - 1, (int)Math.Ceiling(cy + radius));
        for (int y = y0; y <= y1; y++)
        {
            double dy = y + 0.5 - cy;
            double half = radius * radius - dy * dy;
            if (half < 0)
            {
                continue;
            }
            double h = Math.Sqrt(half);
            int a = Math.Max(0, (int)Math.Ceiling(cx - h - 0.5));
            int b = Math.Min(Width, (int)Math.Floor(cx + h - 0.5) + 1);
            if (b > a)
            {
                _pixels.AsSpan(y * Width + a, b - a).Fill(1);
            }
        }
    }

    /// <summary>Sets the pixel at picture coordinates (x, y) when it lies inside the picture (pixel masks, RLE).</summary>
    public void Set(int x, int y)
    {
        if ((uint)x < (uint)Width && (uint)y < (uint)Height)
        {
            _pixels[y * Width + x] = 1;
        }
    }

    /// <summary>COCO RLE runs (column-major, background first) onto the canvas; false when they overrun the picture.</summary>
    public bool PaintRuns(IReadOnlyList<int> counts)
    {
        long total = (long)Width * Height, pos = 0;
        bool value = false;
        foreach (int run in counts)
        {
            if (run < 0 || pos + run > total)
            {
                return false;
            }
            if (value)
            {
                for (long p = pos; p < pos + run; p++)
                {
                    _pixels[(int)(p % Height) * Width + (int)(p / Height)] = 1;
                }
            }
            pos += run;
            value = !value;
        }
        return true;
    }

    /// <summary>The drawn object cropped to its pixels; an empty mask (no pixel centre covered) has empty bounds.</summary>
    public MaskBitmap Finish()
    {
        int x0 = Width, y0 = Height, x1 = 0, y1 = 0;
        for (int y = 0; y < Height; y++)
        {
            var row = _pixels.AsSpan(y * Width, Width);
            int first = row.IndexOf((byte)1);
            if (first < 0)
            {
                continue;
            }
            int last = row.LastIndexOf((byte)1);
            x0 = Math.Min(x0, first);
            x1 = Math.Max(x1, last + 1);
            y0 = Math.Min(y0, y);
            y1 = y + 1;
        }
        var mask = new MaskBitmap();
        if (x1 <= x0)
        {
            mask.Reset(new PixelRect(0, 0, 0, 0));
            return mask;
        }
        var data = mask.Reset(new PixelRect(x0, y0, x1, y1));
        for (int y = y0; y < y1; y++)
        {
            _pixels.AsSpan(y * Width + x0, x1 - x0).CopyTo(data[((y - y0) * (x1 - x0))..]);
        }
        return mask;
    }
}
