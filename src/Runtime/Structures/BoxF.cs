namespace RealtimeSeg.Runtime.Structures;

/// <summary>
/// An axis-aligned box in absolute pixels, always x1,y1,x2,y2 (the layout torchvision, Detectron and our
/// renderer share). Other layouts enter only through an explicit conversion.
/// </summary>
public readonly record struct BoxF(float X1, float Y1, float X2, float Y2)
{
    /// <summary>X2 − X1.</summary>
    public float Width => X2 - X1;

    /// <summary>Y2 − Y1.</summary>
    public float Height => Y2 - Y1;

    /// <summary>Width × Height, 0 for an empty box.</summary>
    public float Area => IsEmpty ? 0 : Width * Height;

    /// <summary>True when the box has no area.</summary>
    public bool IsEmpty => !(X2 > X1 && Y2 > Y1);

    /// <summary>The one conversion in: a box from its top-left corner and size (COCO's layout).</summary>
    public static BoxF FromXywh(float x, float y, float w, float h) => new(x, y, x + w, y + h);

    /// <summary>The box clipped to a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public BoxF Clip(float width, float height) =>
        new(Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height), Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));

    /// <summary>The box with x scaled by <paramref name="sx"/> and y by <paramref name="sy"/>.</summary>
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

    /// <summary>"[x1, y1, x2, y2]" with one decimal.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"[{X1:0.#},{Y1:0.#},{X2:0.#},{Y2:0.#}]");
}

/// <summary>An integer pixel rectangle, [X0,X1) × [Y0,Y1).</summary>
public readonly record struct PixelRect(int X0, int Y0, int X1, int Y1)
{
    /// <summary>X1 − X0.</summary>
    public int Width => Math.Max(0, X1 - X0);

    /// <summary>Y1 − Y0.</summary>
    public int Height => Math.Max(0, Y1 - Y0);

    /// <summary>True when the rectangle holds no pixel.</summary>
    public bool IsEmpty => Width == 0 || Height == 0;
}

/// <summary>
/// How fast a box moves and grows, in frame pixels a second: its centre (<paramref name="CentreX"/>,
/// <paramref name="CentreY"/>) and its size (<paramref name="Width"/>, <paramref name="Height"/>). The tracker
/// estimates it per track; zero for a new track or an untracked set.
/// </summary>
public readonly record struct BoxVelocity(float CentreX, float CentreY, float Width, float Height)
{
    /// <summary>True when the box stands still.</summary>
    public bool IsZero => CentreX == 0 && CentreY == 0 && Width == 0 && Height == 0;

    /// <summary>
    /// <paramref name="box"/> moved forward by <paramref name="seconds"/> at this velocity (centre shifted, size
    /// grown, never below one pixel): where a constant-velocity object's box is that much later.
    /// </summary>
    public BoxF Advance(in BoxF box, double seconds)
    {
        if (IsZero || seconds == 0)
        {
            return box;
        }
        float t = (float)seconds;
        float cx = (box.X1 + box.X2) / 2 + CentreX * t, cy = (box.Y1 + box.Y2) / 2 + CentreY * t;
        float w = Math.Max(1, box.Width + Width * t), h = Math.Max(1, box.Height + Height * t);
        return new BoxF(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
    }
}
