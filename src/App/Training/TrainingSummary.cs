using System.Globalization;
using System.Text.Json;

namespace RealtimeSeg.App.Training;

/// <summary>DIR/training/summary.md: what was trained, on what, how long, how well; enough to reproduce the run.</summary>
internal static class TrainingSummary
{
    public static void Write(string path, TrainSettings settings, DatasetPlan plan, TrainingRun.TrainOutcome outcome,
        TrainingHistory history, TrainingRun.ExportReport report, PythonRuntime python)
    {
        var inv = CultureInfo.InvariantCulture;
        var w = new StringWriter(inv);
        w.WriteLine("# Training summary");
        w.WriteLine();
        w.WriteLine($"- data: `{settings.Data}` ({plan.Format}), classes: {string.Join(", ", plan.Classes)}");
        w.WriteLine($"- split: train {plan.Train.Count} images ({plan.Objects(plan.Train)} objects, {plan.Negatives} negatives), val {plan.Val.Count} images ({plan.Objects(plan.Val)} objects), {(plan.SplitGiven ? "given" : $"seeded split, --val-fraction {settings.ValFraction} --seed {settings.Seed}")}");
        if (outcome.Start is JsonElement s)
        {
            w.WriteLine(string.Create(inv, $"- model: {s.GetProperty("arch").GetString()}, {s.GetProperty("parameters").GetInt64():N0} parameters, input short side {s.GetProperty("size").GetInt32()}, long side at most {s.GetProperty("maxSize").GetInt32()}"));
            w.WriteLine(string.Create(inv, $"- schedule: {outcome.Total} iterations of batch {s.GetProperty("batch").GetInt32()}, SGD momentum 0.9, lr {s.GetProperty("lr").GetDouble()} with a {s.GetProperty("warmup").GetInt32()}-iteration linear warm-up, x0.1 at 75% and 92%, gradient norm clipped at 10, horizontal flips"));
            w.WriteLine($"- weights: {settings.Weights ?? "none (from scratch)"}; device {s.GetProperty("device").GetString()}; PyTorch {python.Versions}");
        }
        if (outcome.TrainSeconds > 0)
        {
            int images = (int)history.Losses.Count * (outcome.Start?.GetProperty("batch").GetInt32() ?? 1);
            w.WriteLine(string.Create(inv, $"- training time: {outcome.TrainSeconds / 60:0.0} min in the training steps (all runs, resumes included; validation not counted), {images / Math.Max(outcome.TrainSeconds, 1e-9):0.00} images/s"));
        }
        if (outcome.LoopSeconds > 0)
        {
            // The figure bench/train-throughput.sh compares with a bare torchvision loop: everything around the steps included.
            int images = outcome.LoopIterations * (outcome.Start?.GetProperty("batch").GetInt32() ?? 1);
            w.WriteLine(string.Create(inv, $"- wall time of the training loop (this run, validation excluded): {outcome.LoopSeconds:0.0} s for {outcome.LoopIterations} iterations, {images / outcome.LoopSeconds:0.00} images/s"));
        }
        var last = history.Losses.TakeLast(100).ToList();
        if (last.Count > 0)
        {
            w.WriteLine(string.Create(inv, $"- mean of the last {last.Count} iterations: loss {last.Average(r => r.Loss):0.0000}, ") +
                string.Join(", ", last[0].Parts.Keys.Select(k => string.Create(inv, $"{k} {last.Average(r => r.Parts.GetValueOrDefault(k)):0.0000}"))));
        }
        w.WriteLine();
        w.WriteLine("## Validation (RealtimeSeg's COCO evaluator, the one `realtimeseg evaluate` uses)");
        w.WriteLine();
        w.WriteLine("| iteration | mask AP | mask AP50 | box AP | box AP50 | |");
        w.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var e in history.Evals)
        {
            w.WriteLine(string.Create(inv, $"| {e.Iteration} | {e.MaskAP:0.000} | {e.MaskAP50:0.000} | {e.BoxAP:0.000} | {e.BoxAP50:0.000} | {(e == history.BestEval ? "exported" : "")} |"));
        }
        w.WriteLine();
        w.WriteLine("```");
        w.WriteLine(report.Text);
        w.WriteLine("```");
        w.WriteLine();
        w.WriteLine("Curve: `curve.png`; per-iteration losses: `loss.csv`; validations: `evals.jsonl`.");
        File.WriteAllText(path, w.ToString());
    }
}
