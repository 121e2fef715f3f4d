using System.CommandLine;
using RealtimeSeg.App.Recording;
using RealtimeSeg.Capture;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// <c>realtimeseg demo</c>: no camera, no download, no flags. The synthetic scene through the shipped model:
/// a window when there is a display, else a short annotated clip written to a named file.
/// </summary>
internal static class DemoCommand
{
    public const string ModelFile = "shapes_maskrcnn.onnx";

    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "Length of the clip recorded when there is no display", DefaultValueFactory = _ => 10 };
        var output = new Option<string>("--out", "-o") { Description = "Where the headless demo writes its clip", DefaultValueFactory = _ => "realtimeseg-demo.mp4" };
        var headless = new Option<bool>("--headless") { Description = "Record the clip even when a display is available" };
        var pipeline = new PipelineArguments();
        var command = new Command("demo", "Run the shipped model on the built-in synthetic scene: a live window with a display, else a 10 s annotated clip (realtimeseg-demo.mp4)");
        command.Options.Add(seconds);
        command.Options.Add(output);
        command.Options.Add(headless);
        pipeline.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string model = FindModel();
            var spec = SourceSpec.Parse("synthetic:1");
            var source = new SourceOptions { Width = 640, Height = 480, Fps = 30 };
            var overlay = OverlayOptions.Default with { Hud = true };
            double? maxInferenceFps = pipeline.MaxInferenceFps(parse);
            var mode = pipeline.Mode(parse, DisplayMode.Live);
            bool window = !parse.GetValue(headless) && ViewCommand.HasDisplay();
            if (!window)
            {
                string outPath = parse.GetValue(output)!;
                Capture.Recording.VideoWriter.CheckOutputPath(outPath);
                double s = parse.GetValue(seconds);
                if (s <= 0)
                {
                    throw new RealtimeSegException($"--seconds {s} must be positive");
                }
                Console.Error.WriteLine($"demo: no display, so recording {s:0.#} s of the synthetic scene through {model} to {outPath}");
                using var headlessModel = Open(model);
                return RecordCommand.Run(headlessModel, new RecordPlan(spec, source, outPath, Lossless: false, s, null, 30, overlay, SegmentOptions.Default, MaxInferenceFps: maxInferenceFps, Mode: mode));
            }
            using var segmentation = Open(model);
            return ViewCommand.Show(segmentation, spec, source, overlay, new PipelineOptions { MaxInferenceFps = maxInferenceFps }, mode, 1280, 960);
        }));
        return command;
    }

    private static SegmentationModel Open(string path) =>
        SegmentationModel.Open(path, InferenceOptions.Default, new ModelOptions());

    /// <summary>The shipped model: models/ beside the app or above it (a checkout), or under the working directory.</summary>
    internal static string FindModel()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "models", ModelFile);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new RealtimeSegException($"the demo model models/{ModelFile} was not found beside the app or above it; run the demo from a RealtimeSeg checkout");
    }
}
