namespace RealtimeSeg.Runtime.Processing;

/// <summary>
/// torchvision's resize rule: scale so the short side becomes <see cref="ShortSide"/>, unless that pushes the
/// long side past <see cref="MaxSide"/>; keep the aspect; sizes are floored as torch's interpolate floors them.
/// </summary>
internal readonly record struct SizePolicy(int ShortSide, int MaxSide)
{
    /// <summary>torchvision's and Detectron's defaults for COCO models.</summary>
    public static SizePolicy Coco { get; } = new(800, 1333);

    public (int Width, int Height, float Scale) Apply(int width, int height)
    {
        float scale = Math.Min((float)ShortSide / Math.Min(width, height), (float)MaxSide / Math.Max(width, height));
        return (Math.Max(1, (int)MathF.Floor(width * scale)), Math.Max(1, (int)MathF.Floor(height * scale)), scale);
    }
}
