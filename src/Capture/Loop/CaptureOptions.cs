namespace RealtimeSeg.Capture.Loop;

/// <summary>How frames reach their consumer.</summary>
public enum Pacing
{
    /// <summary>Newest frame wins; frames the consumer had no time for are dropped and counted (cameras, streams).</summary>
    Live,
    /// <summary>Every frame exactly once, in order, with back-pressure on the source (offline file processing).</summary>
    Lossless,
}

/// <summary>Capture loop settings.</summary>
public sealed record CaptureOptions
{
    /// <summary>Null: <see cref="Pacing.Live"/> for live sources, <see cref="Pacing.Lossless"/> for files.</summary>
    public Pacing? Pacing { get; init; }

    /// <summary>Frames buffered in lossless mode before the source is held back.</summary>
    public int QueueCapacity { get; init; } = 4;

    /// <summary>
    /// Frames kept for display beside the pipeline's (<see cref="CaptureLoop.Display"/>, live mode: every camera
    /// frame drawn, not only the inferred ones); 0, the default, keeps none.
    /// </summary>
    public int DisplayFrames { get; init; }

    /// <summary>First wait before reconnecting a dropped camera or stream; doubles per failed attempt.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest wait between reconnection attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Attempts before giving up on a dropped source; 0 = keep trying until stopped.</summary>
    public int ReconnectAttempts { get; init; }

    /// <summary>Pacing by source kind, a lossless queue of 4, reconnects with back-off from 0.5 s to 8 s until stopped.</summary>
    public static CaptureOptions Default { get; } = new();
}
