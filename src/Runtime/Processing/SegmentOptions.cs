namespace RealtimeSeg.Runtime.Processing;

/// <summary>Which detections become instances. <see cref="Default"/>: score ≥ 0.5, every class, at most 100.</summary>
public sealed record SegmentOptions
{
    /// <summary>Scores of 0.5 and above, every class, at most 100 instances.</summary>
    public static SegmentOptions Default { get; } = new();

    /// <summary>Instances scoring below this are dropped where they are produced.</summary>
    public float MinScore { get; init; } = 0.5f;

    /// <summary>Class ids to keep; null keeps all.</summary>
    public IReadOnlySet<int>? Classes { get; init; }

    /// <summary>The most instances kept per frame, best scores first.</summary>
    public int MaxInstances { get; init; } = 100;
}
