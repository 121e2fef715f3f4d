using System.CommandLine;
using RealtimeSeg.Renderer;

namespace RealtimeSeg.App.Commands;

/// <summary>What the overlay draws: the same options for every command that draws (record, view, segment --out).</summary>
internal sealed class OverlayArguments
{
    private readonly bool _hud;

    /// <param name="hud">Offer --hud (video only: a still has no frame rate to show).</param>
    public OverlayArguments(bool hud) => _hud = hud;

    public Option<bool> NoMasks { get; } = new("--no-masks") { Description = "Do not draw masks" };

    public Option<bool> NoBoxes { get; } = new("--no-boxes") { Description = "Do not draw boxes" };

    public Option<bool> NoLabels { get; } = new("--no-labels") { Description = "Do not draw class names and scores" };

    public Option<bool> Hud { get; } = new("--hud") { Description = "Draw the HUD (fps, latency, provider, drops)" };

    public Option<float> MinScore { get; } = new("--min-score") { Description = "Lowest score shown (drawn; segment also reports only these)", DefaultValueFactory = _ => 0.5f };

    public void AddTo(Command command)
    {
        foreach (var option in _hud ? new Option[] { NoMasks, NoBoxes, NoLabels, Hud, MinScore } : [NoMasks, NoBoxes, NoLabels, MinScore])
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
        MinScore = parse.GetValue(MinScore),
    };
}
