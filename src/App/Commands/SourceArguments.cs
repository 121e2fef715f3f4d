using System.CommandLine;
using System.Globalization;
using RealtimeSeg.Capture;
using RealtimeSeg.Runtime;

namespace RealtimeSeg.App.Commands;

/// <summary>The options every command that reads a video source shares.</summary>
internal sealed class SourceArguments
{
    /// <summary>The streams most commands take at once: enough for a rig of cameras, few enough to tile legibly.</summary>
    public const int MaxSources = 16;

    public Option<string[]> Source { get; } = new("--source", "-s")
    {
        Description = "Where frames come from (give it again for several streams through one model): " + SourceSpec.Help,
        Required = true,
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<string?> SourceSize { get; } = new("--source-size")
    {
        Description = "Frame size WxH to ask a camera for (it may negotiate another; the real size is reported), or to scale other sources to",
    };

    public Option<double> SourceFps { get; } = new("--source-fps")
    {
        Description = "Frame rate to ask a camera or lavfi source for (0 = the source's own)",
        DefaultValueFactory = _ => 0,
    };

    public Option<string?> InputFormat { get; } = new("--input-format")
    {
        Description = "Camera pixel format to ask for, e.g. mjpeg (lets webcams reach 30 fps at 1280x720 and above) or yuyv422",
    };

    public Option<int> Stride { get; } = new("--stride")
    {
        Description = "Use every K-th frame of a video file (1 = every frame)",
        DefaultValueFactory = _ => 1,
    };

    public Option<bool> Realtime { get; } = new("--realtime")
    {
        Description = "Play files at their own frame rate, like a live source (frames the consumer misses are dropped)",
    };

    public Option<bool> RgbDecode { get; } = new("--rgb-decode")
    {
        Description = "Have FFmpeg convert frames to RGB instead of handing over a 4:2:0 stream's own YUV planes (slower; for comparing, or for a stream whose colour tags are wrong)",
    };

    public Option<bool> PipeDecode { get; } = new("--pipe-decode")
    {
        Description = "Decode video files in an ffmpeg process through a pipe, even where FFmpeg 5.1's libraries let this process decode them itself (slower; for comparing)",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Source, SourceSize, SourceFps, InputFormat, Stride, Realtime, RgbDecode, PipeDecode })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>True when at least one --source was given.</summary>
    public bool Given(ParseResult parse) => parse.GetValue(Source) is { Length: > 0 };

    /// <summary>Every --source, in the order given (stream 0 first).</summary>
    public IReadOnlyList<SourceSpec> Specs(ParseResult parse)
    {
        var texts = parse.GetValue(Source) ?? [];
        if (texts.Length > MaxSources)
        {
            throw new RealtimeSegException($"{texts.Length} sources given; at most {MaxSources} streams run through one model here: run another process for the rest");
        }
        return texts.Select(SourceSpec.Parse).ToList();
    }

    /// <summary>The one --source of a command that reads a single stream.</summary>
    public SourceSpec Spec(ParseResult parse, string command)
    {
        var specs = Specs(parse);
        if (specs.Count > 1)
        {
            throw new RealtimeSegException($"{command} takes one --source ({specs.Count} given); several streams are for view, record, bench and probe");
        }
        return specs[0];
    }

    public SourceOptions Options(ParseResult parse)
    {
        var (w, h) = parse.GetValue(SourceSize) is { } size ? CliParsing.Size(size, "--source-size") : (0, 0);
        int stride = parse.GetValue(Stride);
        if (stride < 1)
        {
            throw new RealtimeSegException($"--stride {stride} must be 1 or more");
        }
        double fps = parse.GetValue(SourceFps);
        if (fps < 0 || double.IsNaN(fps))
        {
            throw new RealtimeSegException($"--source-fps {fps.ToString(CultureInfo.InvariantCulture)} must be positive (or 0 for the source's own)");
        }
        return new SourceOptions
        {
            Width = w,
            Height = h,
            Fps = fps,
            InputFormat = parse.GetValue(InputFormat) ?? "",
            Stride = stride,
            Realtime = parse.GetValue(Realtime),
            DecodeToRgb = parse.GetValue(RgbDecode),
            DecodeThroughPipe = parse.GetValue(PipeDecode),
        };
    }
}
