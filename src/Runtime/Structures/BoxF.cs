namespace RealtimeSeg.Runtime.Structures;

/// <summary>
/// An axis-aligned box in absolute pixels, always x1,y1,x2,y2 (the layout torchvision, Detectron and our
/// renderer share). Other layouts enter only through an explicit conversion.
/// </summary>
public readonly record struct BoxF(float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;

    public float Height => Y2 - Y1;

    public float Area => IsEmpty ? 0 : Width * Height;

    public bool IsEmpty => !(X2 > X1 && Y2 > Y1);

    public static BoxF FromXywh(float x, float y, float w, float h) => new(x, y, x + w, y + h);

    public BoxF Clip(float width, float height) =>
        new(Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height), Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));

    public BoxF Scale(float sx, float sy) => new(X1 * sx, Y1 * sy, X2 * sx, Y2 * sy);

    /// <summary>Intersection over union; 0 when either box is empty.</summary>
    public static float Iou(in BoxF a, in BoxF b)
    {
        float iw = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1);
        float ih = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1);
        if (iw <= 0 || ih <= 0)
        {
            return 0;
        }
        float inter = iw * ih;
        return inter / (a.Area + b.Area - inter);
    }

    public override string ToString() =>
        FormattableString.Invariant($"[{X1:0.#},{Y1:0.#},{X2:0.#},{Y2:0.#}]");
}

/// <summary>An integer pixel rectangle, [X0,X1) × [Y0,Y1).</summary>
public readonly record struct PixelRect(int X0, int Y0, int X1, int Y1)
{
    public int Width => Math.Max(0, X1 - X0);

    public int Height => Math.Max(0, Y1 - Y0);

    public bool IsEmpty => Width == 0 || Height == 0;
}
