namespace RealtimeSeg.Capture.Synthetic;

/// <summary>The synthetic scene's classes; the value is the class (COCO category) id, 0 being the background.</summary>
public enum ShapeKind { Circle = 1, Square = 2, Triangle = 3, Star = 4, Hexagon = 5 }

public static class ShapeClasses
{
    /// <summary>Class names by id, background first: the labels file of models trained on the scene.</summary>
    public static IReadOnlyList<string> Names { get; } = ["background", "circle", "square", "triangle", "star", "hexagon"];
}
