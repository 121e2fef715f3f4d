namespace RealtimeSeg.Capture;

/// <summary>
/// What a source delivers, from <c>ffprobe</c> before decoding starts (or from the source itself). Fps 0 means
/// unknown: cameras and streams often report nothing useful, so every frame carries its own capture time and
/// nothing downstream should trust this number.
/// </summary>
public sealed record StreamInfo
{
    /// <summary>Frame width in pixels, 0 when not known yet.</summary>
    public int Width { get; init; }

    /// <summary>Frame height in pixels, 0 when not known yet.</summary>
    public int Height { get; init; }

    /// <summary>Nominal frames per second, 0 when unknown.</summary>
    public double Fps { get; init; }

    /// <summary>Frames the source will deliver (after --stride), when known.</summary>
    public long? FrameCount { get; init; }

    /// <summary>True when <see cref="FrameCount"/> is duration × fps because the container does not store a count.</summary>
    public bool FrameCountIsEstimate { get; init; }

    /// <summary>Length of a file, when known.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Codec or generator name, e.g. <c>h264</c>, <c>rawvideo</c>, <c>testsrc2</c>.</summary>
    public string Codec { get; init; } = "";

    /// <summary>The decoder's pixel format as FFmpeg names it (<c>yuv420p</c>, <c>nv12</c>, <c>rgb24</c>), empty when not probed.</summary>
    public string PixelFormat { get; init; } = "";

    /// <summary>The stream's YUV matrix tag (<c>bt709</c>, <c>smpte170m</c>, …), empty or <c>unknown</c> when untagged.</summary>
    public string ColorSpace { get; init; } = "";

    /// <summary>The stream's range tag: <c>tv</c> (limited), <c>pc</c> (full), empty or <c>unknown</c> when untagged.</summary>
    public string ColorRange { get; init; } = "";

    /// <summary>True for cameras and streams: frames arrive at their own pace.</summary>
    public bool IsLive { get; init; }

    /// <summary>"WxH", or "unknown size".</summary>
    public string Size => Width > 0 ? $"{Width}x{Height}" : "unknown size";

    /// <summary>"N fps", or "fps unknown".</summary>
    public string Rate => Fps > 0 ? $"{Fps:0.##} fps" : "fps unknown";

    /// <summary>One line: size, rate, frame count, duration, codec.</summary>
    public override string ToString() =>
        $"{Size}, {Rate}{(FrameCount is { } n ? $", {(FrameCountIsEstimate ? "about " : "")}{n} frame{(n == 1 ? "" : "s")}" : "")}{(Duration is { } d ? $", {d.TotalSeconds:0.##} s" : "")}{(Codec.Length > 0 ? $", {Codec}" : "")}";
}
