using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Tests.Cli;

/// <summary><c>segment --out</c>: stills drawn by the video overlay (EGL offscreen), one drawing path with recordings.</summary>
public sealed class AnnotatedStillTests
{
    private static readonly string Picture = Path.Combine(Fixtures.DemoDir, "images", "val", "000001.png");

    [Theory]
    [InlineData]
    [InlineData("--no-boxes")]
    [InlineData("--no-masks", "--min-score", "0.9")]
    public void AStillIsPixelIdenticalToTheSameFrameInARecording(params string[] options)
    {
        using var dir = Fixtures.TempDir();
        var still = CliRunner.Run(["segment", "-m", Fixtures.DemoModel, "-i", Picture, "--out", dir.File("stills"), .. options]);
        Assert.True(still.ExitCode == 0, still.Stderr);
        var recorded = CliRunner.Run(["record", "-m", Fixtures.DemoModel, "-s", Picture, "-o", dir.File("clip.mp4"), "--snapshot", dir.File("snapshot.png"), .. options]);
        Assert.True(recorded.ExitCode == 0, recorded.Stderr);
        using var a = Png.Read(dir.File("stills/000001.png"));
        using var b = Png.Read(dir.File("snapshot.png"));
        Assert.Equal((b.Width, b.Height), (a.Width, a.Height));
        Assert.True(a.Pixels.SequenceEqual(b.Pixels), "the still and the recording's frame differ");
        using var source = Png.Read(Picture);
        Assert.False(a.Pixels.SequenceEqual(source.Pixels), "nothing was drawn");
    }

    [Fact]
    public void MasksCoverTheObjectsAndPixelsFarFromThemAreUntouched()
    {
        using var dir = Fixtures.TempDir();
        Directory.CreateDirectory(dir.File("in"));
        var truth = SegmentAndProbeCommandTests.WriteScenes(dir.File("in"), 1)[0];
        var r = CliRunner.Run(["segment", "-m", Fixtures.DemoModel, "-i", dir.File("in/*.png"), "--out", dir.File("out"), "--no-labels", "--no-boxes"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var source = Png.Read(dir.File("in/scene0.png"));
        using var drawn = Png.Read(dir.File("out/scene0.png"));
        Assert.Equal((640, 480), (drawn.Width, drawn.Height));
        int inside = 0, covered = 0;
        for (int g = 0; g < truth.Count; g++)
        {
            var mask = truth.Mask(g);
            if (mask.PixelCount < 0.0015 * 640 * 480)
            {
                continue; // slivers at the frame edge the model is not asked to find
            }
            for (int y = mask.Bounds.Y0; y < mask.Bounds.Y1; y++)
            {
                for (int x = mask.Bounds.X0; x < mask.Bounds.X1; x++)
                {
                    if (mask[x, y])
                    {
                        inside++;
                        covered += Same(source, drawn, x, y) ? 0 : 1;
                    }
                }
            }
        }
        Assert.True(inside > 10_000, $"only {inside} ground-truth pixels");
        Assert.True(covered >= 0.9 * inside, $"{covered} of {inside} ground-truth pixels carry the overlay colour");
        int untouched = 0, far = 0;
        for (int y = 0; y < 480; y += 5)
        {
            for (int x = 0; x < 640; x += 5)
            {
                bool nearAny = Enumerable.Range(0, truth.Count).Any(g =>
                    x >= truth.Boxes[g].X1 - 8 && x <= truth.Boxes[g].X2 + 8 && y >= truth.Boxes[g].Y1 - 8 && y <= truth.Boxes[g].Y2 + 8);
                if (!nearAny)
                {
                    far++;
                    untouched += Same(source, drawn, x, y) ? 1 : 0;
                }
            }
        }
        Assert.True(far > 500 && untouched == far, $"{untouched} of {far} pixels far from every object are unchanged");
    }

    [Fact]
    public void LabelsAreDrawnAsTextOnAChip()
    {
        using var dir = Fixtures.TempDir();
        Assert.Equal(0, CliRunner.Run(["segment", "-m", Fixtures.DemoModel, "-i", Picture, "--out", dir.File("with")]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["segment", "-m", Fixtures.DemoModel, "-i", Picture, "--out", dir.File("without"), "--no-labels"]).ExitCode);
        using var with = Png.Read(dir.File("with/000001.png"));
        using var without = Png.Read(dir.File("without/000001.png"));
        // What the labels add: chips in the instances' colours with text in white or black on them (the glyphs
        // are anti-aliased; their fully covered pixels are the text colour exactly).
        int changed = 0, text = 0;
        for (int y = 0; y < with.Height; y++)
        {
            for (int x = 0; x < with.Width; x++)
            {
                if (!Same(with, without, x, y))
                {
                    changed++;
                    var p = with.Row(y).Slice(x * 3, 3);
                    text += (p[0], p[1], p[2]) is (255, 255, 255) or (0, 0, 0) ? 1 : 0;
                }
            }
        }
        Assert.True(changed > 500, $"labels changed only {changed} pixels");
        Assert.True(text >= 40, $"only {text} pixels of text colour on the chips");
        Assert.True(changed - text >= 4 * text, $"{changed - text} chip pixels for {text} text pixels: no chips behind the text");
    }

    [Fact]
    public void ALowMinScoreDrawsTheLowScoringInstancesInRecordingsAndStills()
    {
        // This picture has instances scoring 0.21-0.49 beside 0.53-0.96 ones: the score filter is applied once, by
        // the producer, so --min-score 0.2 must draw them (before, the pipeline's own 0.5 had dropped them already).
        using var dir = Fixtures.TempDir();
        var json = CliRunner.Run(["segment", "-m", Fixtures.DemoModel, "-i", Picture, "--json", "--min-score", "0.2"]);
        var scores = System.Text.Json.Nodes.JsonNode.Parse(json.Stdout)!["images"]![0]!["instances"]!.AsArray()
            .Select(i => i!["score"]!.GetValue<float>()).ToArray();
        Assert.Contains(scores, s => s is >= 0.2f and < 0.5f);
        foreach (string min in new[] { "0.2", "0.5" })
        {
            var r = CliRunner.Run(["record", "-m", Fixtures.DemoModel, "-s", Picture, "-o", dir.File($"clip{min}.mp4"), "--snapshot", dir.File($"record{min}.png"), "--min-score", min]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Equal(0, CliRunner.Run(["segment", "-m", Fixtures.DemoModel, "-i", Picture, "--out", dir.File($"still{min}"), "--min-score", min]).ExitCode);
        }
        using var low = Png.Read(dir.File("record0.2.png"));
        using var high = Png.Read(dir.File("record0.5.png"));
        using var lowStill = Png.Read(dir.File("still0.2/000001.png"));
        Assert.False(low.Pixels.SequenceEqual(high.Pixels), "--min-score 0.2 drew the same as 0.5");
        Assert.True(low.Pixels.SequenceEqual(lowStill.Pixels), "the recording and the still disagree at --min-score 0.2");
    }

    [Fact]
    public void WithoutOpenGlTheStillsFailInOneLineAndNothingIsCreated()
    {
        using var dir = Fixtures.TempDir();
        // glvnd with no vendor library: no EGL display at all, as on a machine without Mesa or a GPU driver.
        var r = CliRunner.Run(["segment", "-m", Fixtures.DemoModel, "-i", Picture, "--out", dir.File("out")],
            new Dictionary<string, string> { ["__EGL_VENDOR_LIBRARY_FILENAMES"] = dir.File("none.json") });
        string line = CliRunner.AssertOneLineError(r);
        Assert.StartsWith("error: annotated images are drawn with OpenGL, which is not available here: ", line, StringComparison.Ordinal);
        Assert.Contains("apt-get install libegl-mesa0 libgl1-mesa-dri", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("out")));
        Assert.Equal("", r.Stdout);
    }

    private static bool Same(Frame a, Frame b, int x, int y) => a.Row(y).Slice(x * 3, 3).SequenceEqual(b.Row(y).Slice(x * 3, 3));
}
