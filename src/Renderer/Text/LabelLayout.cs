namespace RealtimeSeg.Renderer.Text;

/// <summary>A rectangle in window pixels, y up (GL's convention): X0,Y0 bottom-left, X1,Y1 top-right.</summary>
internal readonly record struct ScreenRect(float X0, float Y0, float X1, float Y1)
{
    public float Width => X1 - X0;

    public float Height => Y1 - Y0;

    public bool Overlaps(ScreenRect other) => X0 < other.X1 && other.X0 < X1 && Y0 < other.Y1 && other.Y0 < Y1;
}

/// <summary>
/// Where label chips go: above their box when there is room inside the picture, else just inside the box's top;
/// never past the picture's edges, never under the HUD, and never over a chip placed before (a chip that would
/// be moves down, below the one in its way). Chips are placed in the order given: best score first.
/// </summary>
internal static class LabelLayout
{
    /// <summary>
    /// Places a <paramref name="width"/> × <paramref name="height"/> chip for a box whose top-left corner is at
    /// (<paramref name="boxLeft"/>, <paramref name="boxTop"/>), inside <paramref name="picture"/>, avoiding
    /// <paramref name="taken"/> (the HUD and earlier chips).
    /// </summary>
    public static ScreenRect Place(float boxLeft, float boxTop, float width, float height, ScreenRect picture, ReadOnlySpan<ScreenRect> taken)
    {
        float x = Math.Clamp(boxLeft, picture.X0, Math.Max(picture.X0, picture.X1 - width));
        float y = boxTop + height <= picture.Y1 ? boxTop : boxTop - height; // above the box, or just inside its top
        y = Math.Clamp(y, picture.Y0, Math.Max(picture.Y0, picture.Y1 - height));
        var chip = new ScreenRect(x, y, x + width, y + height);
        // Each move goes below one obstacle, so taken.Length + 1 rounds settle it (or reach the picture's bottom).
        for (int round = 0; round <= taken.Length; round++)
        {
            bool moved = false;
            foreach (var other in taken)
            {
                if (chip.Overlaps(other))
                {
                    float below = other.Y0 - height;
                    if (below < picture.Y0)
                    {
                        return chip; // no room below: overlapping beats leaving the picture
                    }
                    chip = chip with { Y0 = below, Y1 = other.Y0 };
                    moved = true;
                }
            }
            if (!moved)
            {
                break;
            }
        }
        return chip;
    }
}
