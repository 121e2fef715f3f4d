namespace RealtimeSeg.Capture.Synthetic;

/// <summary>
/// The synthetic scene's settings. Geometry is in units of the frame height, so the same seed gives the same
/// scene at any resolution (a 320x240 training set and a 640x480 demo see the same world).
/// </summary>
public sealed record SyntheticSceneOptions
{
    /// <summary>Frame width in pixels.</summary>
    public int Width { get; init; } = 640;

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; init; } = 480;

    /// <summary>Frames per second of scene time.</summary>
    public double Fps { get; init; } = 30;

    /// <summary>Seed of the scene: the same seed gives the same scene, frame for frame.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The fewest objects in the scene at once.</summary>
    public int MinObjects { get; init; } = 3;

    /// <summary>The most objects in the scene at once.</summary>
    public int MaxObjects { get; init; } = 7;

    /// <summary>Smallest object radius, in frame heights.</summary>
    public double MinRadius { get; init; } = 0.06;

    /// <summary>Largest object radius, in frame heights.</summary>
    public double MaxRadius { get; init; } = 0.17;

    /// <summary>Fastest drift, in frame heights per second.</summary>
    public double MaxSpeed { get; init; } = 0.18;

    /// <summary>
    /// A visible fragment smaller than this fraction of the frame is not a ground-truth instance (a sliver of an
    /// occluded or departing shape is not something to ask a detector for). Datasets mark such fragments crowd.
    /// </summary>
    public double MinVisibleArea { get; init; } = 0.0015;

    /// <summary>Throws naming the first option out of range.</summary>
    public void Validate()
    {
        if (Width < 16 || Height < 16)
        {
            throw new ArgumentException($"scene size {Width}x{Height} is too small; at least 16x16");
        }
        if (Fps <= 0)
        {
            throw new ArgumentException($"fps {Fps} must be positive");
        }
        if (MinObjects < 0 || MaxObjects < MinObjects)
        {
            throw new ArgumentException($"object count range {MinObjects}..{MaxObjects} is invalid");
        }
    }
}
