using System.Globalization;
using System.Text.Json;
using RealtimeSeg.App.Commands;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.App.Training;

/// <summary>What <c>realtimeseg train</c> was asked for; null means the architecture's default (the trainer resolves it).</summary>
internal sealed record TrainSettings(
    string Data, string? ValData, string Out, string Arch, string? Weights, int? Epochs, int? Iterations, int? Size, int? Batch,
    double? Lr, int? Warmup, int? EvalEvery, double ValFraction, int Seed, string Device, int Threads);

/// <summary>
/// One <c>train</c> run, start to end: check and import the dataset, train (resuming when DIR holds a checkpoint),
/// validate with RealtimeSeg's COCO evaluator and keep the best checkpoint, export both ONNX contracts, score
/// them through ONNX Runtime beside PyTorch's figure, and leave the curve, a summary and the commands to run.
/// </summary>
internal sealed class TrainingRun(TrainSettings settings)
{
    /// <summary>ONNX Runtime's AP of the raw export may differ from PyTorch's by this much (the runtime's resize rounds differently).</summary>
    public const double AgreementTolerance = 0.01;

    /// <summary>
    /// The agreement the val split can resolve: 0.01, or on a split so small that a few objects' matches move AP by
    /// more, what three objects of its rarest class crossing one of the ten IoU thresholds move it by (a rounding
    /// difference of one pixel moves a 10-pixel object's IoU by a tenth).
    /// </summary>
    internal static double Tolerance(CocoGroundTruth val)
    {
        var perClass = val.Objects.Where(o => !o.IsCrowd).GroupBy(o => o.CategoryId).Select(g => g.Count()).ToList();
        if (perClass.Count == 0)
        {
            return AgreementTolerance;
        }
        double oneObject = 1.0 / (10 * perClass.Count * perClass.Min());
        return Math.Max(AgreementTolerance, 3 * oneObject);
    }

    private readonly string _out = Path.GetFullPath(settings.Out);
    private readonly TrainingProgress _progress = new();
    private string Dataset => Path.Combine(_out, "dataset");
    private string Checkpoints => Path.Combine(_out, "checkpoints");
    private string BestCheckpoint => Path.Combine(Checkpoints, "best.pt");

    public int Execute()
    {
        var python = PythonRuntime.Find();
        CheckOutFolder();
        var plan = DatasetImport.Check(settings.Data, settings.ValData, settings.ValFraction, settings.Seed);
        Directory.CreateDirectory(_out);
        DatasetImport.Write(plan, Dataset);
        Console.Out.WriteLine(DescribeDataset(plan));
        var history = new TrainingHistory(Path.Combine(_out, "training"));
        var val = plan.Val.Count > 0 ? CocoGroundTruth.Load(Dataset, "val") : null;

        var trainer = new TrainerProcess(python, Path.Combine(history.Folder, "trainer.log"));
        var outcome = Train(trainer, history, val);
        if (outcome.Status == TrainerProcess.Interrupted || trainer.StopRequested)
        {
            Console.Out.WriteLine($"stopped by Ctrl+C at iteration {outcome.Iteration}; the checkpoint is {Path.Combine(Checkpoints, "last.pt")}: run the same command again to resume");
            return TrainerProcess.Interrupted;
        }
        CheckTrainerStatus(trainer, outcome);

        var (raw, pasted) = Export(trainer);
        var report = ScoreExports(val, history, raw, pasted);
        TrainingCurve.Draw(history.Losses, history.Evals, outcome.Total, Path.Combine(history.Folder, "curve.png"));
        TrainingSummary.Write(Path.Combine(history.Folder, "summary.md"), settings, plan, outcome, history, report, python);
        Console.Out.WriteLine(report.Text);
        Console.Out.WriteLine($"model     {raw} (and {Path.GetFileName(pasted)}, {Path.GetFileName(Path.ChangeExtension(raw, null))}.labels.txt)");
        Console.Out.WriteLine($"curve     {Path.Combine(history.Folder, "curve.png")}; summary {Path.Combine(history.Folder, "summary.md")}");
        Console.Out.WriteLine("next:");
        Console.Out.WriteLine($"  ./realtimeseg view --model {Quote(raw)} --source /dev/video0");
        Console.Out.WriteLine($"  ./realtimeseg record --model {Quote(raw)} --source INPUT.mp4 --out annotated.mp4");
        if (report.Disagreement is { } d)
        {
            throw new RealtimeSegException(d);
        }
        return 0;
    }

    /// <summary>A folder that is not a run of ours is never written into (a typo must not scatter files in a home folder).</summary>
    private void CheckOutFolder()
    {
        if (File.Exists(_out))
        {
            throw new RealtimeSegException($"--out {settings.Out} is a file; give a folder for the run");
        }
        if (Directory.Exists(_out) && Directory.EnumerateFileSystemEntries(_out).Any() && !Directory.Exists(Dataset))
        {
            throw new RealtimeSegException($"--out {settings.Out} is not empty and holds no training run; give a new or empty folder");
        }
    }

    private static string DescribeDataset(DatasetPlan plan)
    {
        var s = new System.Text.StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"dataset   {plan.Format}: {plan.Classes.Count} classes ({string.Join(", ", plan.Classes)}); ");
        s.Append(CultureInfo.InvariantCulture, $"train {plan.Train.Count} images, {plan.Objects(plan.Train)} objects");
        if (plan.Negatives > 0)
        {
            s.Append(CultureInfo.InvariantCulture, $" ({plan.Negatives} without objects, used as negatives)");
        }
        s.Append(CultureInfo.InvariantCulture, $"; val {plan.Val.Count} images, {plan.Objects(plan.Val)} objects ({(plan.SplitGiven ? "given" : "seeded split")})");
        var sizes = plan.Sizes;
        s.Append(sizes.MinW == sizes.MaxW && sizes.MinH == sizes.MaxH
            ? $"; {sizes.MinW}x{sizes.MinH}" : $"; sizes {sizes.MinW}x{sizes.MinH} to {sizes.MaxW}x{sizes.MaxH} (each resized to the model's input)");
        var converted = plan.Conversions.Where(c => c.Key != PictureConversion.None && c.Value > 0).ToList();
        if (converted.Count > 0)
        {
            s.Append("; converted to RGB: ").AppendJoin(", ", converted.Select(c => $"{c.Value} {c.Key switch
            {
                PictureConversion.FromGray => "grayscale",
                PictureConversion.FromAlpha => "with alpha",
                _ => "palette",
            }}"));
        }
        if (plan.Val.Count == 0)
        {
            s.Append("; no val split (--val-fraction 0): no validation, the last checkpoint is exported");
        }
        return s.ToString();
    }

    /// <param name="LoopSeconds">Wall time of the last run's loop over <paramref name="LoopIterations"/>, validation excluded.</param>
    internal sealed record TrainOutcome(int Status, int Iteration, int Total, double TrainSeconds, string? Error, JsonElement? Start,
        int LoopIterations = 0, double LoopSeconds = 0);

    private TrainOutcome Train(TrainerProcess trainer, TrainingHistory history, CocoGroundTruth? val)
    {
        int iteration = 0, total = 0;
        double trainSeconds = 0, loopSeconds = 0;
        int loopIterations = 0;
        string? error = null;
        JsonElement? start = null;
        int status = trainer.Run(TrainerArguments(), (kind, e) =>
        {
            switch (kind)
            {
                case "start":
                    start = e.Clone();
                    iteration = e.GetProperty("iteration").GetInt32();
                    total = e.GetProperty("iterations").GetInt32();
                    history.LoadUpTo(iteration);
                    _progress.Start(iteration, total, e.GetProperty("epochIterations").GetInt32());
                    Console.Out.WriteLine(DescribeStart(e));
                    break;
                case "heads" or "notice":
                    _progress.Message(e.GetProperty("message").GetString()!);
                    break;
                case "iter":
                    iteration = e.GetProperty("iteration").GetInt32();
                    var row = new LossRow(iteration, e.GetProperty("lr").GetDouble(), e.GetProperty("loss").GetDouble(),
                        e.GetProperty("parts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()),
                        e.GetProperty("imagesPerSecond").GetDouble());
                    history.AddLoss(row);
                    _progress.Iteration(row, e.GetProperty("seconds").GetDouble());
                    break;
                case "eval":
                    Validate(e, history, val!, total);
                    break;
                case "interrupted":
                    iteration = e.GetProperty("iteration").GetInt32();
                    break;
                case "done":
                    trainSeconds = e.GetProperty("trainSeconds").GetDouble();
                    loopIterations = e.GetProperty("loopIterations").GetInt32();
                    loopSeconds = e.GetProperty("loopSeconds").GetDouble();
                    break;
                case "error":
                    error = e.GetProperty("message").GetString();
                    break;
            }
        });
        _progress.End();
        return new TrainOutcome(status, iteration, total, trainSeconds, error, start, loopIterations, loopSeconds);
    }

    private List<string> TrainerArguments()
    {
        var a = new List<string>
        {
            "train", "--data", Dataset, "--out", _out, "--arch", settings.Arch, "--seed", settings.Seed.ToString(CultureInfo.InvariantCulture),
            "--device", settings.Device,
        };
        void Add(string name, object? value)
        {
            if (value is not null)
            {
                a.Add(name);
                a.Add(Convert.ToString(value, CultureInfo.InvariantCulture)!);
            }
        }
        Add("--weights", settings.Weights is null ? null : Path.GetFullPath(settings.Weights));
        Add("--epochs", settings.Epochs);
        Add("--iterations", settings.Iterations);
        Add("--size", settings.Size);
        Add("--batch", settings.Batch);
        Add("--lr", settings.Lr);
        Add("--warmup", settings.Warmup);
        Add("--eval-every", settings.EvalEvery);
        Add("--threads", settings.Threads > 0 ? settings.Threads : null);
        return a;
    }

    private static string DescribeStart(JsonElement e)
    {
        var inv = CultureInfo.InvariantCulture;
        int total = e.GetProperty("iterations").GetInt32(), perEpoch = e.GetProperty("epochIterations").GetInt32();
        string text = string.Create(inv,
            $"training  {e.GetProperty("arch").GetString()} ({e.GetProperty("parameters").GetInt64() / 1e6:0.00} M parameters), " +
            $"{e.GetProperty("classes").GetArrayLength()} classes with the background, {total} iterations ({(double)total / perEpoch:0.#} epochs of {perEpoch}), " +
            $"batch {e.GetProperty("batch").GetInt32()}, lr {e.GetProperty("lr").GetDouble():0.#####} (warm-up {e.GetProperty("warmup").GetInt32()}), " +
            $"input {e.GetProperty("maxSize").GetInt32()}x{e.GetProperty("size").GetInt32()} at most, {e.GetProperty("device").GetString()}");
        if (e.GetProperty("resumed").GetBoolean())
        {
            text += string.Create(inv, $"\nresuming at iteration {e.GetProperty("iteration").GetInt32()}");
        }
        return text;
    }

    /// <summary>Scores PyTorch's detections with the evaluator <c>evaluate</c> uses; keeps the checkpoint if it is the best.</summary>
    private void Validate(JsonElement e, TrainingHistory history, CocoGroundTruth val, int total)
    {
        int iteration = e.GetProperty("iteration").GetInt32();
        string detectionsPath = e.GetProperty("detections").GetString()!;
        string checkpoint = e.GetProperty("checkpoint").GetString()!;
        var score = ModelScoring.Score(val, ReadDetections(detectionsPath, val), hasMasks: true, e.GetProperty("seconds").GetDouble());
        bool best = history.AddEval(iteration, score.Mask!.AP, score.Mask.AP50, score.Box.AP, score.Box.AP50);
        if (best)
        {
            File.Move(checkpoint, BestCheckpoint, overwrite: true);
        }
        else
        {
            File.Delete(checkpoint);
        }
        File.Delete(detectionsPath);
        _progress.Message(string.Create(CultureInfo.InvariantCulture,
            $"validation at iteration {iteration}: mask AP {score.Mask.AP:0.000} (AP50 {score.Mask.AP50:0.000}), box AP {score.Box.AP:0.000}{(best ? ", best so far: kept" : "")}"));
        TrainingCurve.Draw(history.Losses, history.Evals, total, Path.Combine(history.Folder, "curve.png"));
    }

    /// <summary>The trainer's detections file: one JSON line per detection, masks as full-picture COCO RLE.</summary>
    internal static List<Detection> ReadDetections(string path, CocoGroundTruth truth)
    {
        var sizes = truth.Images.ToDictionary(i => i.Id, i => (i.Width, i.Height));
        var canvas = new MaskCanvas();
        var detections = new List<Detection>();
        var counts = new List<int>();
        foreach (string line in File.ReadLines(path))
        {
            using var doc = JsonDocument.Parse(line);
            var d = doc.RootElement;
            int imageId = d.GetProperty("image_id").GetInt32();
            var (w, h) = sizes[imageId];
            counts.Clear();
            counts.AddRange(d.GetProperty("counts").EnumerateArray().Select(c => c.GetInt32()));
            canvas.Start(w, h);
            canvas.PaintRuns(counts);
            var box = d.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            detections.Add(new Detection(imageId, d.GetProperty("category_id").GetInt32(), d.GetProperty("score").GetSingle(),
                new BoxF(box[0], box[1], box[2], box[3]), canvas.Finish()));
        }
        return detections;
    }

    private void CheckTrainerStatus(TrainerProcess trainer, TrainOutcome outcome)
    {
        if (outcome.Error is { } message)
        {
            throw new RealtimeSegException(message);
        }
        if (outcome.Status == 137 || outcome.Status == -9)
        {
            throw new RealtimeSegException($"the trainer was killed at iteration {outcome.Iteration} (SIGKILL: usually the system ran out of memory); " +
                $"lower --batch first, then --size, and run the same command again: it resumes from {Path.Combine(Checkpoints, "last.pt")}");
        }
        if (outcome.Status != 0)
        {
            throw new TrainerFailedException($"the trainer failed (exit {outcome.Status}: {trainer.LastLogLine()}); its log is {trainer.LogPath}");
        }
    }

    /// <summary>Exports the best checkpoint into a folder beside the outputs, then moves the files into place: never half a model.</summary>
    private (string Raw, string Pasted) Export(TrainerProcess trainer)
    {
        if (!File.Exists(BestCheckpoint))
        {
            throw new TrainerFailedException($"the trainer ended without {BestCheckpoint}; its log is {trainer.LogPath}");
        }
        string staging = Path.Combine(_out, "export.partial");
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
        string? error = null;
        int status = trainer.Run(["export", "--checkpoint", BestCheckpoint, "--out", staging, "--stem", "model"], (kind, e) =>
        {
            if (kind == "error")
            {
                error = e.GetProperty("message").GetString();
            }
        });
        if (error is not null)
        {
            throw new RealtimeSegException(error);
        }
        if (status != 0)
        {
            throw new TrainerFailedException($"the ONNX export failed (exit {status}: {trainer.LastLogLine()}); its log is {trainer.LogPath}");
        }
        foreach (string file in Directory.GetFiles(staging))
        {
            File.Move(file, Path.Combine(_out, Path.GetFileName(file)), overwrite: true);
        }
        Directory.Delete(staging);
        return (Path.Combine(_out, "model.onnx"), Path.Combine(_out, "model_pasted.onnx"));
    }

    internal sealed record ExportReport(string Text, string? Disagreement, ModelScore? Raw, ModelScore? Pasted);

    /// <summary>Both exports through ONNX Runtime on the val split, beside PyTorch's score of the same checkpoint.</summary>
    private static ExportReport ScoreExports(CocoGroundTruth? val, TrainingHistory history, string raw, string pasted)
    {
        if (val is null || history.BestEval is not { } best)
        {
            return new ExportReport("val       none: nothing to score the model on (give --val-fraction above 0 or --val-data)", null, null, null);
        }
        var inv = CultureInfo.InvariantCulture;
        var w = new StringWriter(inv);
        // One label column for every row, so the four figures line up under their headings.
        const int Label = 44;
        w.WriteLine($"{$"val       {val.Images.Count} images, {val.Objects.Count(o => !o.IsCrowd)} objects",-Label}{"mask AP",7} {"AP50",6}  {"box AP",7} {"AP50",6}");
        w.WriteLine(string.Create(inv, $"{$"  PyTorch, checkpoint of iteration {best.Iteration}",-Label}{best.MaskAP,7:0.000} {best.MaskAP50,6:0.000}  {best.BoxAP,7:0.000} {best.BoxAP50,6:0.000}"));
        using var rawModel = SegmentationModel.Open(raw, new InferenceOptions { Provider = ExecutionProvider.Cpu });
        using var pastedModel = SegmentationModel.Open(pasted, new InferenceOptions { Provider = ExecutionProvider.Cpu });
        string rawName = Path.GetFileName(raw), pastedName = Path.GetFileName(pasted);
        var rawScore = ModelScoring.Score(rawModel, val);
        var pastedScore = ModelScoring.Score(pastedModel, val);
        foreach (var (name, score) in new[] { (rawName, rawScore), (pastedName, pastedScore) })
        {
            w.WriteLine(string.Create(inv, $"{$"  ONNX Runtime, {name}",-Label}{score.Mask!.AP,7:0.000} {score.Mask.AP50,6:0.000}  {score.Box.AP,7:0.000} {score.Box.AP50,6:0.000}"));
        }
        // The raw export pastes as PyTorch does, so its AP must match PyTorch's; the pasted export is held to the raw
        // export's outputs (see ExportComparison for why not to PyTorch's AP).
        double worst = Math.Max(Math.Abs(rawScore.Mask!.AP - best.MaskAP), Math.Abs(rawScore.Box.AP - best.BoxAP));
        double tolerance = Tolerance(val);
        string allowed = tolerance > AgreementTolerance
            ? string.Create(inv, $"{tolerance:0.000} on {val.Objects.Count(o => !o.IsCrowd)} val objects")
            : string.Create(inv, $"{AgreementTolerance}");
        var comparison = ExportComparison.Of(rawModel, pastedModel, val);
        string? disagreement = null;
        if (worst > tolerance)
        {
            disagreement = string.Create(inv, $"{rawName}'s AP differs from PyTorch's by {worst:0.000} (more than {allowed}); the export is wrong: please report it with {history.Folder}");
        }
        else if (!comparison.Agrees)
        {
            disagreement = $"{comparison.Describe(rawName, pastedName)}; the export is wrong: please report it with {history.Folder}";
        }
        else
        {
            w.WriteLine(string.Create(inv, $"  ONNX Runtime agrees with PyTorch within {worst:0.000} AP on {rawName} (allowed {allowed})"));
            w.Write($"  {comparison.Describe(rawName, pastedName)}");
        }
        return new ExportReport(w.ToString().TrimEnd(), disagreement, rawScore, pastedScore);
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"'{path}'" : path;
}

/// <summary>The trainer failed in a way it did not explain (a crash): reported as an internal error with its log.</summary>
internal sealed class TrainerFailedException(string message) : Exception(message);
