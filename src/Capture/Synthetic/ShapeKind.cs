namespace RealtimeSeg.Capture.Synthetic;

/// <summary>The synthetic scene's classes; the value is the class (COCO category) id, 0 being the background.</summary>
public enum ShapeKind
{
    /// <summary>A disc.</summary>
    Circle = 1,

    /// <summary>A rotated square.</summary>
    Square = 2,

    /// <summary>A rotated equilateral triangle.</summary>
    Triangle = 3,

    /// <summary>A five-pointed star.</summary>
    Star = 4,

    /// <summary>A regular hexagon.</summary>
    Hexagon = 5,
}

/// <summary>The synthetic scene's class names.</summary>
public static class ShapeClasses
{
    /// <summary>Class names by id, background first: the labels file of models trained on the scene.</summary>
    public static IReadOnlyList<string> Names { get; } = ["background", "circle", "square", "triangle", "star", "hexagon"];
}
