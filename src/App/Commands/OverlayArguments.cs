using System.CommandLine;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Processing;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// What is drawn: the same options for every command that draws (record, view, demo, segment --out). The score
/// cut-off is applied once, where instances are produced (<see cref="Segment"/>), never again by the overlay.
/// </summary>
internal sealed class OverlayArguments
{
    private readonly bool _hud;

    /// <param name="hud">Offer --hud and --track-ids (video only: a still has no frame rate to show and nothing to track).</param>
    public OverlayArguments(bool hud) => _hud = hud;

    public Option<bool> NoMasks { get; } = new("--no-masks") { Description = "Do not draw masks" };

    public Option<bool> NoBoxes { get; } = new("--no-boxes") { Description = "Do not draw boxes" };

    public Option<bool> NoLabels { get; } = new("--no-labels") { Description = "Do not draw class names and scores" };

    public Option<bool> Hud { get; } = new("--hud") { Description = "Draw the HUD (fps, latency, provider, drops)" };

    public Option<bool> TrackIds { get; } = new("--track-ids") { Description = "Show each instance's track id after its label (#12): the same object keeps its id through motion" };

    public Option<bool> NoMotion { get; } = new("--no-motion") { Description = "Live mode: draw the newest masks where the model saw them instead of moving them with their objects" };

    public Option<float> MinScore { get; } = new("--min-score") { Description = "Lowest score kept: instances below it are neither drawn nor reported", DefaultValueFactory = _ => 0.5f };

    public void AddTo(Command command)
    {
        foreach (var option in _hud ? new Option[] { NoMasks, NoBoxes, NoLabels, TrackIds, Hud, NoMotion, MinScore } : [NoMasks, NoBoxes, NoLabels, MinScore])
        {
            command.Options.Add(option);
        }
    }

    public OverlayOptions Options(ParseResult parse) => OverlayOptions.Default with
    {
        Masks = !parse.GetValue(NoMasks),
        Boxes = !parse.GetValue(NoBoxes),
        Labels = !parse.GetValue(NoLabels),
        Hud = _hud && parse.GetValue(Hud),
        TrackIds = _hud && parse.GetValue(TrackIds),
        Motion = !(_hud && parse.GetValue(NoMotion)),
    };

    /// <summary>The producer's filter: what the pipeline (or segment) keeps.</summary>
    public SegmentOptions Segment(ParseResult parse)
    {
        float min = parse.GetValue(MinScore);
        if (min is < 0 or > 1 || float.IsNaN(min))
        {
            throw new Runtime.RealtimeSegException($"--min-score {min.ToString(System.Globalization.CultureInfo.InvariantCulture)} is outside 0..1");
        }
        return SegmentOptions.Default with { MinScore = min };
    }
}
