using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RealtimeSeg.App.Drawing;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Ffmpeg;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// <c>realtimeseg segment</c>: still images in (any format FFmpeg decodes), instances out, as text or JSON, and
/// optionally annotated PNGs. The simplest way to try a model.
/// </summary>
internal static class SegmentCommand
{
    public static Command Create()
    {
        var args = new ModelArguments();
        var input = new Option<string[]>("--input", "-i")
        {
            Description = "Images to segment: files, folders, or globs like 'shots/*.jpg' (quote globs so the shell leaves them alone); repeatable",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var json = new Option<bool>("--json") { Description = "Print instances as JSON: label, class, score, box [x1,y1,x2,y2] in image pixels, mask as COCO RLE" };
        var outDir = new Option<string?>("--out", "-o") { Description = "Write each image with its instances drawn by the video overlay (masks, boxes, labels; OpenGL, offscreen) as DIR/NAME.png" };
        var overlay = new OverlayArguments(hud: false);
        var command = new Command("segment", "Segment still images: print the instances found (text or --json) and optionally save annotated copies");
        args.AddTo(command);
        command.Options.Add(input);
        command.Options.Add(json);
        command.Options.Add(outDir);
        overlay.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var drawing = overlay.Options(parse);
            var options = overlay.Segment(parse);
            var files = ExpandInputs(parse.GetValue(input)!);
            string? dir = parse.GetValue(outDir);
            // GL first: where it cannot be had, nothing (not even the folder) is created.
            using var painter = dir is not null ? StillPainter.Open() : null;
            if (dir is not null)
            {
                PrepareOutputFolder(dir);
            }
            var tools = FfmpegTools.Default;
            using var model = args.Open(parse);
            using var slot = model.CreateSlot();
            using var pool = new FramePool();
            var instances = model.CreateInstanceSet();
            var scratch = new MaskBitmap();
            bool asJson = parse.GetValue(json);
            var results = new List<Dictionary<string, object?>>();
            foreach (string file in files)
            {
                using var source = new FfmpegFrameSource(new SourceSpec(SourceKind.ImageFile, file, file), SourceOptions.Default, tools);
                source.Open();
                using var frame = source.Read(pool) ?? throw new CaptureException($"'{file}' decoded to no image");
                var clock = Stopwatch.StartNew();
                slot.Segment(frame, instances, options);
                double ms = clock.Elapsed.TotalMilliseconds;
                if (asJson)
                {
                    results.Add(JsonImage(file, frame, instances, ms, scratch));
                }
                else
                {
                    Console.Out.Write(Text(file, frame, instances, ms));
                }
                if (dir is not null)
                {
                    painter!.Write(Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".png"), frame, instances, drawing);
                }
            }
            if (asJson)
            {
                var doc = new Dictionary<string, object?> { ["model"] = model.Path, ["provider"] = Runtime.Onnx.ExecutionProviders.CliName(model.Session.Provider), ["images"] = results };
                Console.Out.WriteLine(JsonSerializer.Serialize(doc, CliJson.Compact));
            }
            return 0;
        }));
        return command;
    }

    private static List<string> ExpandInputs(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (string text in inputs)
        {
            var spec = SourceSpec.Parse(text);
            switch (spec.Kind)
            {
                case SourceKind.ImageFile:
                    files.Add(File.Exists(spec.Target) ? spec.Target : throw new CaptureException($"'{spec.Target}' does not exist; check the path"));
                    break;
                case SourceKind.ImageSequence:
                    files.AddRange(ImageSequenceSource.Expand(spec.Target));
                    break;
                default:
                    throw new CaptureException($"segment takes still images, folders or globs; '{text}' is a {spec.Kind switch { SourceKind.VideoFile => "video file", SourceKind.Camera => "camera", _ => "live source" }} (use realtimeseg probe to inspect it)");
            }
        }
        return files;
    }

    private static void PrepareOutputFolder(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            OutputFolder.ProbeWritable(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RealtimeSegException($"cannot write to --out folder '{dir}': {e.Message}; choose a folder you can write to");
        }
    }

    private static string Text(string file, Frame frame, InstanceSet instances, double ms)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{file}: {frame.Width}x{frame.Height}, {instances.Count} instance{(instances.Count == 1 ? "" : "s")} ({ms:0.0} ms)\n");
        for (int i = 0; i < instances.Count; i++)
        {
            var b = instances.Boxes[i];
            sb.Append(CultureInfo.InvariantCulture, $"  {instances.ClassName(i),-12} {instances.Scores[i]:0.000}  box [{b.X1:0.0}, {b.Y1:0.0}, {b.X2:0.0}, {b.Y2:0.0}]\n");
        }
        return sb.ToString();
    }

    private static Dictionary<string, object?> JsonImage(string file, Frame frame, InstanceSet instances, double ms, MaskBitmap scratch)
    {
        var list = new List<Dictionary<string, object?>>();
        for (int i = 0; i < instances.Count; i++)
        {
            var b = instances.Boxes[i];
            var item = new Dictionary<string, object?>
            {
                ["label"] = instances.ClassIds[i],
                ["class"] = instances.ClassName(i),
                ["score"] = MathF.Round(instances.Scores[i], 4),
                ["box"] = new[] { MathF.Round(b.X1, 2), MathF.Round(b.Y1, 2), MathF.Round(b.X2, 2), MathF.Round(b.Y2, 2) },
            };
            if (instances.MaskKind != MaskKind.None)
            {
                var mask = instances.Mask(i, scratch);
                item["area"] = mask.PixelCount;
                item["mask"] = new Dictionary<string, object> { ["size"] = new[] { frame.Height, frame.Width }, ["counts"] = MaskRle.Encode(mask, frame.Width, frame.Height) };
            }
            list.Add(item);
        }
        return new Dictionary<string, object?>
        {
            ["file"] = file, ["width"] = frame.Width, ["height"] = frame.Height, ["inferenceMs"] = Math.Round(ms, 2), ["instances"] = list,
        };
    }
}
