using RealtimeSeg.Renderer;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>The HUD's line: the draw rate beside the model's, and how old the drawn result is.</summary>
public sealed class HudTextTests
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
}
