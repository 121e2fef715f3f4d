using System.CommandLine;
using System.Globalization;
using RealtimeSeg.Runtime;

namespace RealtimeSeg.App.Commands;

/// <summary>The options of the commands that run the inference pipeline on a source (view, record, demo).</summary>
internal sealed class PipelineArguments
{
    public Option<double?> InferenceFps { get; } = new("--inference-fps")
    {
        Description = "Give the model at most this many frames a second (default: as many as it keeps up with); live sources drop the frames between, files wait. Saves power, and sets the result rate the overlay must bridge",
    };

    public void AddTo(Command command) => command.Options.Add(InferenceFps);

    /// <summary>The cap, checked: null for none.</summary>
    public double? MaxInferenceFps(ParseResult parse) => parse.GetValue(InferenceFps) switch
    {
        null => null,
        > 0 and <= 1000 and var fps => fps,
        var fps => throw new RealtimeSegException($"--inference-fps {fps.Value.ToString(CultureInfo.InvariantCulture)} is out of range; use a rate above 0 and at most 1000 (e.g. --inference-fps 5), or leave it out for no cap"),
    };
}
