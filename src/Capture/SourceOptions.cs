namespace RealtimeSeg.Capture;

/// <summary>How to open a source. Sizes and rates are requests: cameras may negotiate something else.</summary>
public sealed record SourceOptions
{
    /// <summary>Requested frame width (cameras) or the width to scale to (others); 0 = the source's own.</summary>
    public int Width { get; init; }

    /// <summary>Asked-for height in pixels (cameras, the synthetic scene); 0 keeps the source's.</summary>
    public int Height { get; init; }

    /// <summary>Requested frame rate (cameras, lavfi); 0 = the source's own.</summary>
    public double Fps { get; init; }

    /// <summary>Camera input format, e.g. <c>mjpeg</c> or <c>yuyv422</c>; empty = the driver's default.</summary>
    public string InputFormat { get; init; } = "";

    /// <summary>Deliver every K-th frame of a file (1 = all).</summary>
    public int Stride { get; init; } = 1;

    /// <summary>Read files at their own frame rate, as if live (FFmpeg's <c>-re</c>).</summary>
    public bool Realtime { get; init; }

    /// <summary>The synthetic scene renders as fast as it can instead of at its fps (offline work, benchmarks).</summary>
    public bool Unpaced { get; init; }

    /// <summary>
    /// Have FFmpeg convert every stream to RGB, as before frames could travel as YUV 4:2:0: for comparisons and
    /// benchmarks of the two paths (the YUV path is the default wherever the stream is 8-bit 4:2:0).
    /// </summary>
    public bool DecodeToRgb { get; init; }

    /// <summary>
    /// Decode video files through an ffmpeg process and its pipe even where this process could decode them itself
    /// (FFmpeg 5.1's libraries present): for comparison, or to rule the in-process decoder out of a problem.
    /// </summary>
    public bool DecodeThroughPipe { get; init; }

    /// <summary>A live source silent for this long is treated as dropped (and reconnected).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long <c>ffprobe</c> may take to describe the source before it is called unreachable.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The source's own size and rate.</summary>
    public static SourceOptions Default { get; } = new();

    /// <summary>Whether a size was asked for.</summary>
    public bool HasSize => Width > 0 && Height > 0;
}
