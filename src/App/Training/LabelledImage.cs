using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.App.Training;

/// <summary>One object of a labelled picture: its class and its mask over the whole picture (bounds = its pixels).</summary>
/// <param name="Where">How a problem names it to the user, e.g. "shape 3 ('cat', polygon)" or "annotation 17".</param>
internal sealed record LabelledObject(string ClassName, MaskBitmap Mask, bool IsCrowd, string Where);

/// <summary>Where a picture's pixels are: a file, or bytes embedded in its annotation (labelme's imageData).</summary>
internal sealed record ImageSource(string? Path, byte[]? Bytes)
{
    /// <summary>How problems name the picture.</summary>
    public string Name => Path ?? "the embedded imageData";
}

/// <summary>A picture with its objects, as a dataset reader found it; sizes are the annotation's own claim until checked.</summary>
internal sealed record LabelledImage(string Annotation, ImageSource Image, int Width, int Height, IReadOnlyList<LabelledObject> Objects);

/// <summary>A dataset as read: pictures and the class names in their order (the model's label ids 1..K).</summary>
internal sealed record LabelledDataset(string Format, IReadOnlyList<string> Classes, IReadOnlyList<LabelledImage> Images);
