using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Tests.Cli;

namespace RealtimeSeg.Tests.Training;

/// <summary>
/// <c>realtimeseg train</c> end to end on datasets the tests make: Debian's PyTorch trains the small architecture
/// for a few dozen iterations on 2 cores, ONNX Runtime runs the export. Each run is short (input 96 pixels), so the
/// class stays within a couple of minutes; the figures it checks are the ones a user reads.
/// </summary>
public sealed partial class TrainCommandTests
{
    private static string[] Quick(string data, string output, int iterations, params string[] more) =>
        ["train", "--data", data, "--out", output, "--arch", "small", "--iterations", iterations.ToString(CultureInfo.InvariantCulture),
         "--batch", "2", "--size", "96", "--threads", "2", .. more];

    private static string SynthCoco(TempDir dir, int train = 12, int val = 4)
    {
        string data = Path.Combine(dir.Path, "coco");
        var r = CliRunner.Run(["synth-dataset", "--out", data, "--train", train.ToString(CultureInfo.InvariantCulture),
            "--val", val.ToString(CultureInfo.InvariantCulture), "--size", "96x64", "--seed", "3"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return data;
    }

    [Fact]
    public async Task CocoTrainingStopsOnCtrlCResumesAndExportsAModelThatSegmentsWithTheDatasetsClasses()
    {
        using var dir = Fixtures.TempDir();
        string data = SynthCoco(dir);
        string run = Path.Combine(dir.Path, "run");
        string[] args = Quick(data, run, 40, "--eval-every", "20");

        // Ctrl+C once the run is under way: a checkpoint, exit 130, and the way to go on.
        int stoppedAt;
        using (var first = SignalReadyProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "realtimeseg.dll"), .. args]))
        {
            // Progress (one line an iteration when stderr is not a terminal) goes to stderr; the report to stdout.
            var stdout = first.StandardOutput.ReadToEndAsync();
            var progress = new System.Text.StringBuilder();
            var clock = Stopwatch.StartNew();
            string? line;
            while ((line = await first.StandardError.ReadLineAsync()) is not null)
            {
                progress.AppendLine(line);
                if (IterationLine().Match(line) is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) >= 8)
                {
                    SignalReadyProcess.Interrupt(first);
                    break;
                }
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "no iteration 8 in 3 minutes:\n" + progress);
            }
            progress.Append(await first.StandardError.ReadToEndAsync());
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(60)), "train did not stop after Ctrl+C");
            string report = await stdout;
            Assert.True(first.ExitCode == 130, $"exit {first.ExitCode}\n{report}\n{progress}");
            var stopped = StoppedLine().Match(report);
            Assert.True(stopped.Success, report);
            stoppedAt = int.Parse(stopped.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "last.pt")));
        Assert.False(File.Exists(Path.Combine(run, "model.onnx")), "an interrupted run exported a model");

        // The same command again: resumes at the saved iteration and finishes.
        var second = CliRunner.Run(args, timeoutSeconds: 300);
        Assert.True(second.ExitCode == 0, second.Stdout + second.Stderr);
        var resumed = ResumedLine().Match(second.Stdout);
        Assert.True(resumed.Success, second.Stdout);
        int resumedAt = int.Parse(resumed.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(stoppedAt, resumedAt);
        Assert.InRange(resumedAt, 8, 39);
        // Progress goes on from there (logged every other iteration when stderr is not a terminal).
        int firstShown = int.Parse(IterationLine().Match(second.Stderr).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(firstShown, resumedAt + 1, resumedAt + 2);

        // loss.csv: every iteration exactly once across the two runs, and the loss falls.
        var rows = File.ReadAllLines(Path.Combine(run, "training", "loss.csv")).Skip(1)
            .Select(l => l.Split(',')).Select(f => (Iteration: int.Parse(f[0], CultureInfo.InvariantCulture), Loss: double.Parse(f[2], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(Enumerable.Range(1, 40), rows.Select(r => r.Iteration));
        double early = rows.Take(5).Average(r => r.Loss), late = rows.TakeLast(5).Average(r => r.Loss);
        Assert.True(late < 0.6 * early, $"the loss did not fall: first five {early:0.000}, last five {late:0.000}");

        // Validation with evaluate's numbers, the export checked through ONNX Runtime, the commands to run next.
        Assert.Contains("validation at iteration 20: mask AP", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("ONNX Runtime agrees with PyTorch within", second.Stdout, StringComparison.Ordinal);
        Assert.Contains($"./realtimeseg view --model {Path.Combine(run, "model.onnx")}", second.Stdout, StringComparison.Ordinal);
        AssertPng(Path.Combine(run, "training", "curve.png"));
        Assert.Contains("| 40 |", File.ReadAllText(Path.Combine(run, "training", "summary.md")), StringComparison.Ordinal);

        string[] classes = ["background", "circle", "square", "triangle", "star", "hexagon"];
        foreach (string model in new[] { "model.onnx", "model_pasted.onnx" })
        {
            using var opened = SegmentationModel.Open(Path.Combine(run, model), new InferenceOptions { Provider = ExecutionProvider.Cpu });
            Assert.Equal(classes, opened.Labels.Names);
        }
        Assert.Equal(classes, File.ReadAllLines(Path.Combine(run, "model.labels.txt")));
        var segment = CliRunner.Run(["segment", "-m", Path.Combine(run, "model.onnx"), "-i", Path.Combine(data, "images", "val"), "--min-score", "0.05"]);
        Assert.True(segment.ExitCode == 0, segment.Stderr);
        var found = InstanceLine().Matches(segment.Stdout).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.NotEmpty(found);
        Assert.Subset(classes[1..].ToHashSet(), found);
    }

    [Fact]
    public void ALabelmeFolderTrainsAndFineTuningFromAnotherClassCountReplacesTheHeads()
    {
        using var dir = Fixtures.TempDir();
        // Weights of a 5-class run to start from.
        string coco = SynthCoco(dir);
        string source = Path.Combine(dir.Path, "source-run");
        var pre = CliRunner.Run(Quick(coco, source, 4), timeoutSeconds: 300);
        Assert.True(pre.ExitCode == 0, pre.Stdout + pre.Stderr);

        string labelme = Path.Combine(dir.Path, "labelme");
        LabelmeScenes.Write(labelme, count: 16, seed: 5);
        string weights = Path.Combine(source, "checkpoints", "best.pt");

        // Weights of the other architecture: refused with the --arch to give, not trained half-loaded.
        var wrong = CliRunner.Run(["train", "--data", labelme, "--out", Path.Combine(dir.Path, "wrong"), "--arch", "r50-fpn", "--weights", weights,
            "--iterations", "2"], timeoutSeconds: 300);
        Assert.Equal($"error: --weights {weights} is a 'small' model; train it with --arch small, or give 'r50-fpn' weights", TrainErrors.AssertOneError(wrong));

        string run = Path.Combine(dir.Path, "run");
        var r = CliRunner.Run(Quick(labelme, run, 30, "--val-fraction", "0.25", "--weights", weights),
            timeoutSeconds: 300);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("dataset   labelme: 3 classes (coin, tile, wedge); train 12 images, 36 objects; val 4 images, 12 objects (seeded split)",
            r.Stdout, StringComparison.Ordinal);
        // One line naming the replaced layers, not torch's "size mismatch for roi_heads.box_predictor" trace.
        var heads = r.Stderr.Split('\n').Single(l => l.StartsWith("--weights has", StringComparison.Ordinal));
        Assert.StartsWith("--weights has 6 classes, this dataset 4 (background included): replaced", heads, StringComparison.Ordinal);
        Assert.Contains("roi_heads.box_predictor.cls_score", heads, StringComparison.Ordinal);
        Assert.Contains("roi_heads.mask_predictor.mask_fcn_logits", heads, StringComparison.Ordinal);
        Assert.DoesNotContain("size mismatch", r.Stdout + r.Stderr, StringComparison.Ordinal);

        Assert.Equal(["background", .. LabelmeScenes.Classes], File.ReadAllLines(Path.Combine(run, "model.labels.txt")));
        var segment = CliRunner.Run(["segment", "-m", Path.Combine(run, "model.onnx"), "-i", labelme, "--min-score", "0.05"]);
        Assert.True(segment.ExitCode == 0, segment.Stderr);
        var found = InstanceLine().Matches(segment.Stdout).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.NotEmpty(found);
        Assert.Subset(LabelmeScenes.Classes.ToHashSet(), found);
    }

    [Fact]
    public void AnAbsurdLearningRateStopsAtTheFirstNonFiniteLossAndSaysWhatToLower()
    {
        using var dir = Fixtures.TempDir();
        string data = SynthCoco(dir);
        string run = Path.Combine(dir.Path, "run");
        var r = CliRunner.Run(Quick(data, run, 30, "--lr", "1e6", "--warmup", "0"), timeoutSeconds: 300);
        string error = TrainErrors.AssertOneError(r);
        Assert.Matches(@"^error: the loss became non-finite at iteration \d+ \(", error);
        Assert.Contains("lower --lr (now 1e+06, try 100000) or lengthen --warmup (now 0)", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(run, "model.onnx")), "a diverged run exported a model");
    }

    private static void AssertPng(string path)
    {
        Assert.True(File.Exists(path), path + " is missing");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(path)[..4]);
    }

    [GeneratedRegex(@"stopped by Ctrl\+C at iteration (\d+); the checkpoint is .*last\.pt: run the same command again to resume")]
    private static partial Regex StoppedLine();

    [GeneratedRegex(@"^iter (\d+)/40 ", RegexOptions.Multiline)]
    private static partial Regex IterationLine();

    [GeneratedRegex(@"resuming at iteration (\d+)")]
    private static partial Regex ResumedLine();

    /// <summary>A line of segment's text output: "  CLASS  SCORE  box [...]".</summary>
    [GeneratedRegex(@"^  (\S+) +[01]\.\d{3}  box \[", RegexOptions.Multiline)]
    private static partial Regex InstanceLine();
}
