using System.CommandLine;
using System.Text.RegularExpressions;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Runtime;

namespace RealtimeSeg.App.Commands;

/// <summary><c>realtimeseg synth-dataset</c>: a COCO-format dataset rendered by the synthetic shapes scene.</summary>
internal static partial class SynthDatasetCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out", "-o") { Description = "Folder to write (images/ and annotations/ inside it)", Required = true };
        var train = new Option<int>("--train") { Description = "Images in the train split (0 writes only val)", DefaultValueFactory = _ => 1000 };
        var val = new Option<int>("--val") { Description = "Images in the val split", DefaultValueFactory = _ => 200 };
        var size = new Option<string>("--size") { Description = "Image size WxH", DefaultValueFactory = _ => "320x240" };
        var seed = new Option<int>("--seed") { Description = "Dataset seed: the same seed writes the same images", DefaultValueFactory = _ => 1 };
        var command = new Command("synth-dataset",
            "Write a COCO instance-segmentation dataset (PNG images, RLE masks) of the synthetic shapes scene: circle, square, triangle, star, hexagon")
        {
            outDir, train, val, size, seed,
        };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string root = parse.GetValue(outDir)!;
            int trainCount = parse.GetValue(train), valCount = parse.GetValue(val);
            var (w, h) = CliParsing.Size(parse.GetValue(size)!, "--size");
            if (trainCount < 0 || valCount < 0 || trainCount + valCount == 0)
            {
                throw new RealtimeSegException($"--train {trainCount} and --val {valCount} must be zero or more, and not both zero");
            }
            if (w < 32 || h < 32)
            {
                throw new RealtimeSegException($"--size {w}x{h} is too small; use at least 32x32");
            }
            PrepareFolder(root);
            foreach (var (split, count) in new[] { ("train", trainCount), ("val", valCount) })
            {
                if (count == 0)
                {
                    continue;
                }
                var progress = new Progress($"{split,-5}", count);
                int annotations = CocoDatasetWriter.WriteSplit(root, split, count, w, h, parse.GetValue(seed), progress.Report);
                Console.Out.WriteLine($"{split}: {count} images, {annotations} instances -> {Path.Combine(root, "annotations", $"instances_{split}.json")}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Refuses to write into a folder that holds something other than a dataset of ours, and clears the
    /// images an earlier run wrote, so a smaller re-run leaves no stale images behind.
    /// </summary>
    private static void PrepareFolder(string root)
    {
        if (File.Exists(root))
        {
            throw new RealtimeSegException($"--out {root} is a file; give a folder");
        }
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            var unexpected = Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName)
                .Where(n => n is not ("images" or "annotations")).ToList();
            if (unexpected.Count > 0)
            {
                throw new RealtimeSegException($"--out {root} is not empty and not a synthetic dataset (it holds {string.Join(", ", unexpected.Take(3))}); choose a new or empty folder");
            }
            foreach (string split in CocoDatasetWriter.Splits)
            {
                string dir = Path.Combine(root, "images", split);
                if (Directory.Exists(dir))
                {
                    foreach (string file in Directory.EnumerateFiles(dir).Where(f => ImageName().IsMatch(Path.GetFileName(f))))
                    {
                        File.Delete(file);
                    }
                }
            }
        }
        Directory.CreateDirectory(root);
    }

    [GeneratedRegex(@"^\d{6}\.png$")]
    private static partial Regex ImageName();
}
