namespace RealtimeSeg.Capture.Synthetic;

/// <summary>
/// The synthetic scene's settings. Geometry is in units of the frame height, so the same seed gives the same
/// scene at any resolution (a 320x240 training set and a 640x480 demo see the same world).
/// </summary>
public sealed record SyntheticSceneOptions
{
    public int Width { get; init; } = 640;

    public int Height { get; init; } = 480;

    public double Fps { get; init; } = 30;

    public int Seed { get; init; } = 1;

    public int MinObjects { get; init; } = 3;

    public int MaxObjects { get; init; } = 7;

    /// <summary>Smallest object radius, in frame heights.</summary>
    public double MinRadius { get; init; } = 0.06;

    public double MaxRadius { get; init; } = 0.17;

    /// <summary>Fastest drift, in frame heights per second.</summary>
    public double MaxSpeed { get; init; } = 0.18;

    /// <summary>
    /// A visible fragment smaller than this fraction of the frame is not a ground-truth instance (a sliver of an
    /// occluded or departing shape is not something to ask a detector for). Datasets mark such fragments crowd.
    /// </summary>
    public double MinVisibleArea { get; init; } = 0.0015;

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
