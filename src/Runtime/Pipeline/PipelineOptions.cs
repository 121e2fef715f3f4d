using RealtimeSeg.Runtime.Processing;

namespace RealtimeSeg.Runtime.Pipeline;

/// <summary>Inference pipeline settings.</summary>
public sealed record PipelineOptions
{
    /// <summary>
    /// Inference slots, each with its own input tensor, outputs and worker thread. 2 (default) overlaps one
    /// frame's preprocessing and the previous frame's postprocessing with the model run; 1 does one thing at a
    /// time, which is the baseline the benchmark compares against.
    /// </summary>
    public int Slots { get; init; } = 2;

    /// <summary>
    /// Every frame in order, every result kept in order with back-pressure (recording files). Otherwise live:
    /// a free slot takes the newest frame and readers see the newest result.
    /// </summary>
    public bool Lossless { get; init; }

    public SegmentOptions Segment { get; init; } = SegmentOptions.Default;

    /// <summary>Results buffered for a lossless reader before the pipeline waits for it.</summary>
    public int ResultQueueCapacity { get; init; } = 4;

    /// <summary>Frames before allocation accounting starts (first runs allocate ORT's and our buffers).</summary>
    public int WarmupFrames { get; init; } = 10;

    /// <summary>Samples kept for latency and frame-time percentiles.</summary>
    public int MetricsWindow { get; init; } = 1024;
}
