using System.CommandLine;
using RealtimeSeg.App.Training;
using RealtimeSeg.Runtime;

namespace RealtimeSeg.App.Commands;

/// <summary><c>realtimeseg train</c>: fine-tune (or train from scratch) a Mask R-CNN on the user's labelled pictures.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data", "-d") { Description = "The labelled pictures: a labelme folder, a COCO .json, or a COCO dataset folder (annotations/instances_train.json [+ _val])", Required = true };
        var outDir = new Option<string>("--out", "-o") { Description = "Folder of the run: dataset, checkpoints, training/ (curve, summary) and model.onnx; the same command again resumes there", Required = true };
        var valData = new Option<string?>("--val-data") { Description = "A separate val set (same forms as --data); default: a seeded --val-fraction of --data" };
        var arch = new Option<string>("--arch") { Description = "small: the demo architecture, fast on a CPU; r50-fpn: torchvision's maskrcnn_resnet50_fpn; auto: from --weights, else small", DefaultValueFactory = _ => "auto" };
        arch.AcceptOnlyFromAmong("auto", "small", "r50-fpn");
        var weights = new Option<string?>("--weights") { Description = "Start from these weights: a torchvision .pth (e.g. COCO maskrcnn_resnet50_fpn) or a checkpoint of train; heads of another class count are replaced. Default: from scratch" };
        var epochs = new Option<int?>("--epochs") { Description = "Passes over the training split (default 12)" };
        var iterations = new Option<int?>("--iterations") { Description = "Train this many iterations instead of --epochs" };
        var size = new Option<int?>("--size") { Description = "Short side of the model input in pixels (default: small 240, r50-fpn 800)" };
        var batch = new Option<int?>("--batch") { Description = "Images per iteration (default: small 4, r50-fpn 2)" };
        var lr = new Option<double?>("--lr") { Description = "Base learning rate (default: 0.005 per image of a batch for small, 0.0025 for r50-fpn)" };
        var warmup = new Option<int?>("--warmup") { Description = "Iterations of linear learning-rate warm-up (default 200, at most a fifth of the run)" };
        var evalEvery = new Option<int?>("--eval-every") { Description = "Validate every N iterations (default: every epoch, and at the end)" };
        var valFraction = new Option<double>("--val-fraction") { Description = "Share of --data held out for validation when no val split is given", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the order and the augmentation", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "cpu or cuda (auto: cuda when PyTorch sees a GPU)", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        var threads = new Option<int>("--threads") { Description = "CPU threads for PyTorch (0: all cores)", DefaultValueFactory = _ => 0 };
        var command = new Command("train",
            "Train a Mask R-CNN on your own labelled pictures (labelme or COCO), validate it as evaluate does, and export it to ONNX for view and record. " +
            "Ctrl+C saves a checkpoint; the same command again resumes. Needs Python with PyTorch (Debian: apt-get install python3-torch python3-torchvision python3-onnx python3-pil)")
        {
            data, outDir, valData, arch, weights, epochs, iterations, size, batch, lr, warmup, evalEvery, valFraction, seed, device, threads,
        };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var settings = new TrainSettings(parse.GetValue(data)!, parse.GetValue(valData), parse.GetValue(outDir)!, parse.GetValue(arch)!,
                parse.GetValue(weights), parse.GetValue(epochs), parse.GetValue(iterations), parse.GetValue(size), parse.GetValue(batch),
                parse.GetValue(lr), parse.GetValue(warmup), parse.GetValue(evalEvery), parse.GetValue(valFraction), parse.GetValue(seed),
                parse.GetValue(device)!, parse.GetValue(threads));
            Validate(settings);
            try
            {
                return new TrainingRun(settings).Execute();
            }
            catch (DatasetProblemsException e)
            {
                const int Shown = 30;
                foreach (string line in e.Problems.Take(Shown))
                {
                    Console.Error.WriteLine($"error: {line}");
                }
                if (e.Problems.Count > Shown)
                {
                    Console.Error.WriteLine($"error: ... and {e.Problems.Count - Shown} more problems of the same kinds; nothing was written");
                }
                return CommandRunner.UserError;
            }
            catch (TrainerFailedException e)
            {
                Console.Error.WriteLine($"internal error: {e.Message}");
                return CommandRunner.InternalError;
            }
        }));
        return command;
    }

    private static void Validate(TrainSettings s)
    {
        if (s.Weights is { } w && !File.Exists(w))
        {
            throw new RealtimeSegException($"--weights {w} does not exist; give a .pth state dict or a checkpoint of train");
        }
        if (s.Epochs is <= 0)
        {
            throw new RealtimeSegException($"--epochs {s.Epochs} must be at least 1");
        }
        if (s.Iterations is <= 0)
        {
            throw new RealtimeSegException($"--iterations {s.Iterations} must be at least 1");
        }
        if (s.Epochs is not null && s.Iterations is not null)
        {
            throw new RealtimeSegException("--epochs and --iterations both given; give one of them");
        }
        if (s.Size is < 32 or > 4096)
        {
            throw new RealtimeSegException($"--size {s.Size} is out of range; give a short side of 32 to 4096 pixels");
        }
        if (s.Batch is < 1 or > 256)
        {
            throw new RealtimeSegException($"--batch {s.Batch} is out of range; give 1 to 256 images");
        }
        if (s.Lr is { } lr && !(lr > 0 && double.IsFinite(lr)))
        {
            throw new RealtimeSegException($"--lr {lr} must be a positive number");
        }
        if (s.Warmup is < 0 || s.EvalEvery is < 1)
        {
            throw new RealtimeSegException("--warmup must be 0 or more and --eval-every at least 1");
        }
        if (!(s.ValFraction is >= 0 and < 1))
        {
            throw new RealtimeSegException($"--val-fraction {s.ValFraction} must be at least 0 and below 1 (0.1 holds out a tenth)");
        }
        if (s.Threads < 0)
        {
            throw new RealtimeSegException($"--threads {s.Threads} is negative; give 0 for all cores or a thread count");
        }
    }
}
