namespace RealtimeSeg.Runtime.Structures;

/// <summary>
/// A binary instance mask at source-frame resolution, stored only over its bounds (1 = inside, 0 = outside).
/// Reused across frames: the buffer grows and is never shrunk, so steady state allocates nothing.
/// </summary>
public sealed class MaskBitmap
{
    private byte[] _data = [];

    /// <summary>The stored region in frame pixels; everything outside is 0.</summary>
    public PixelRect Bounds { get; private set; }

    /// <summary>Rows of <see cref="PixelRect.Width"/> bytes covering <see cref="Bounds"/>.</summary>
    public Span<byte> Data => _data.AsSpan(0, Bounds.Width * Bounds.Height);

    /// <summary>The mask's bytes on frame row <paramref name="frameY"/> (within <see cref="Bounds"/>), 1 inside, 0 outside.</summary>
    public Span<byte> Row(int frameY) => _data.AsSpan((frameY - Bounds.Y0) * Bounds.Width, Bounds.Width);

    /// <summary>Mask value at a frame pixel.</summary>
    public bool this[int x, int y] =>
        x >= Bounds.X0 && x < Bounds.X1 && y >= Bounds.Y0 && y < Bounds.Y1 &&
        _data[(y - Bounds.Y0) * Bounds.Width + (x - Bounds.X0)] != 0;

    /// <summary>Pixels inside the mask.</summary>
    public int PixelCount
    {
        get
        {
            int n = 0;
            foreach (byte b in Data)
            {
                n += b;
            }
            return n;
        }
    }

    /// <summary>Sets new bounds and returns the cleared storage for them.</summary>
    public Span<byte> Reset(PixelRect bounds)
    {
        Bounds = bounds;
        int size = bounds.Width * bounds.Height;
        if (_data.Length < size)
        {
            _data = new byte[Math.Max(size, _data.Length * 2)];
        }
        var data = _data.AsSpan(0, size);
        data.Clear();
        return data;
    }

    /// <summary>Makes <paramref name="into"/> an independent copy of this mask, reusing its storage.</summary>
    public MaskBitmap CopyTo(MaskBitmap into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (!ReferenceEquals(into, this))
        {
            Data.CopyTo(into.Reset(Bounds));
        }
        return into;
    }

    /// <summary>Intersection over union of two masks of the same frame.</summary>
    public static float Iou(MaskBitmap a, MaskBitmap b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int inter = 0;
        int x0 = Math.Max(a.Bounds.X0, b.Bounds.X0), x1 = Math.Min(a.Bounds.X1, b.Bounds.X1);
        int y0 = Math.Max(a.Bounds.Y0, b.Bounds.Y0), y1 = Math.Min(a.Bounds.Y1, b.Bounds.Y1);
        for (int y = y0; y < y1; y++)
        {
            for (int x = x0; x < x1; x++)
            {
                if (a[x, y] && b[x, y])
                {
                    inter++;
                }
            }
        }
        int union = a.PixelCount + b.PixelCount - inter;
        return union == 0 ? 0 : (float)inter / union;
    }
}
