namespace RealtimeSeg.Runtime.Processing;

/// <summary>Which detections become instances. <see cref="Default"/>: score ≥ 0.5, every class, at most 100.</summary>
public sealed record SegmentOptions
{
    public static SegmentOptions Default { get; } = new();

    public float MinScore { get; init; } = 0.5f;

    /// <summary>Class ids to keep; null keeps all.</summary>
    public IReadOnlySet<int>? Classes { get; init; }

    public int MaxInstances { get; init; } = 100;
}
