using System.CommandLine;
using System.Globalization;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.App.Commands;

/// <summary>The options of the commands that run the inference pipeline on a source (view, record, demo).</summary>
internal sealed class PipelineArguments
{
    public Option<double?> InferenceFps { get; } = new("--inference-fps")
    {
        Description = "Give the model at most this many frames a second (default: as many as it keeps up with); live sources drop the frames between, files wait. Saves power, and sets the result rate the overlay must bridge",
    };

    public Option<bool> Live { get; } = new("--live")
    {
        Description = "Draw every camera frame at its own rate with the newest masks, moved along each object's track to where it is now (default for view, demo and live sources)",
    };

    public Option<bool> Sync { get; } = new("--sync")
    {
        Description = "Draw each result on the frame it was computed from: masks exactly on the picture, which advances at the model's rate (default for files)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(InferenceFps);
        command.Options.Add(Live);
        command.Options.Add(Sync);
    }

    /// <summary>--live or --sync, else <paramref name="defaultMode"/>; both at once is an error.</summary>
    public DisplayMode Mode(ParseResult parse, DisplayMode defaultMode) => (parse.GetValue(Live), parse.GetValue(Sync)) switch
    {
        (true, true) => throw new RealtimeSegException("--live and --sync contradict each other; give one of them (or neither for the default)"),
        (true, false) => DisplayMode.Live,
        (false, true) => DisplayMode.Sync,
        _ => defaultMode,
    };

    /// <summary>The cap, checked: null for none.</summary>
    public double? MaxInferenceFps(ParseResult parse) => parse.GetValue(InferenceFps) switch
    {
        null => null,
        > 0 and <= 1000 and var fps => fps,
        var fps => throw new RealtimeSegException($"--inference-fps {fps.Value.ToString(CultureInfo.InvariantCulture)} is out of range; use a rate above 0 and at most 1000 (e.g. --inference-fps 5), or leave it out for no cap"),
    };
}
