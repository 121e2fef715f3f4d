using RealtimeSeg.Renderer;
using RealtimeSeg.Renderer.Passes;
using RealtimeSeg.Runtime.Structures;
using RealtimeSeg.Runtime.Tracking;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>
/// The overlay's text: the HUD's line (the draw rate beside the model's, how old the drawn result is) and the
/// chips' labels (class, score, track id).
/// </summary>
public sealed class OverlayTextTests
{
    private static string Line(HudInfo hud)
    {
        Span<char> text = stackalloc char[128];
        return new string(text[..hud.Format(text)]);
    }

    [Fact]
    public void TheHudShowsBothRatesTheLatencyAndTheResultsAge()
    {
        var hud = new HudInfo(59.94, 4.96, 212.4, "cuda", 17) { ResultAgeMs = 187.6 };
        Assert.Equal("draw 59.9 fps  model 5.0 fps  latency 212 ms  age 188 ms  cuda  dropped 17", Line(hud));
    }

    [Fact]
    public void WithoutAResultAgeTheHudLeavesItOut()
    {
        Assert.Equal("draw 60.0 fps  model 14.0 fps  latency 45 ms  cpu  dropped 0", Line(new HudInfo(60, 14, 45, "cpu", 0)));
    }

    [Fact]
    public void ALongProviderNameIsCutAtTheBufferNotOverrun()
    {
        Span<char> text = stackalloc char[40];
        int n = new HudInfo(60, 14, 45, new string('x', 200), 0) { ResultAgeMs = 10 }.Format(text);
        Assert.Equal(40, n);
    }

    private static string Label(InstanceSet set, int i, bool scores, bool trackId)
    {
        Span<char> text = stackalloc char[64];
        return new string(text[..LabelPass.LabelText(set, i, scores, trackId, text)]);
    }

    [Fact]
    public void LabelsCarryTheTrackIdsATrackerGaveAndOnlyThose()
    {
        var labels = new LabelMap(["background", "circle"], "test");
        var set = InstanceSet.FromDetections(640, 480, labels, [new BoxF(10, 10, 50, 50), new BoxF(300, 300, 340, 340)], [0.97f, 0.61f], [1, 1]);
        Assert.Equal("circle 0.97", Label(set, 0, scores: true, trackId: false));
        Assert.False(set.IsTracked);
        Assert.Equal("circle", Label(set, 1, scores: false, trackId: true)); // nothing tracked it: no id to show

        var tracker = new InstanceTracker();
        var ids = new int[set.Count];
        tracker.Update(set, 0, ids);
        ids.CopyTo(set.WritableTrackIds());
        Assert.True(set.IsTracked);
        Assert.NotEqual(ids[0], ids[1]);
        Assert.Equal($"circle 0.97 #{ids[0]}", Label(set, 0, scores: true, trackId: true));
        Assert.Equal($"circle #{ids[1]}", Label(set, 1, scores: false, trackId: true));
    }
}
