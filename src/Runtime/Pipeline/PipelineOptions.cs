using RealtimeSeg.Runtime.Processing;

namespace RealtimeSeg.Runtime.Pipeline;

/// <summary>Inference pipeline settings.</summary>
public sealed record PipelineOptions
{
    /// <summary>
    /// Inference slots, each with its own input tensor, outputs and worker thread. 2 overlaps one frame's
    /// preprocessing and the previous frame's postprocessing with the model run; 1 does one thing at a time.
    /// 0 (default) picks by provider: 1 on the CPU, 2 on a GPU. Measured on the 2-core CPU with the demo model,
    /// pre+post is 0.5 ms of a 14 ms run, so a second slot cannot gain more than 3%, costs a frame of latency
    /// (+15-20 ms) and its preprocessing contends with ORT's threads; on a GPU the run is short and pre/post
    /// is a large share, which is what the second slot hides (docs/ARCHITECTURE.md has the numbers).
    /// </summary>
    public int Slots { get; init; }

    /// <summary>
    /// Every frame in order, every result kept in order with back-pressure (recording files). Otherwise live:
    /// a free slot takes the newest frame and readers see the newest result.
    /// </summary>
    public bool Lossless { get; init; }

    /// <summary>
    /// The most frames a second the model is given (null: as many as it keeps up with). Frames are taken at
    /// least 1/rate apart; in live mode the ones in between are dropped, in lossless mode the input waits.
    /// Saves power on a fast device, and sets the result rate that live drawing must bridge.
    /// </summary>
    public double? MaxInferenceFps { get; init; }

    /// <summary>The producer's filter: score cut-off, classes and instance cap applied where instances are made.</summary>
    public SegmentOptions Segment { get; init; } = SegmentOptions.Default;

    /// <summary>
    /// Give instances track ids that stay with their objects from result to result (SORT-style; see
    /// <see cref="Tracking.InstanceTracker"/>); null turns tracking off.
    /// </summary>
    public Tracking.TrackerOptions? Tracking { get; init; } = Runtime.Tracking.TrackerOptions.Default;

    /// <summary>Results buffered for a lossless reader before the pipeline waits for it.</summary>
    public int ResultQueueCapacity { get; init; } = 4;

    /// <summary>Frames before allocation accounting starts (first runs allocate ORT's and our buffers).</summary>
    public int WarmupFrames { get; init; } = 10;

    /// <summary>Samples kept for latency and frame-time percentiles.</summary>
    public int MetricsWindow { get; init; } = 1024;
}
