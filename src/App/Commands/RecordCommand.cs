using System.CommandLine;
using System.Globalization;
using RealtimeSeg.App.Recording;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Recording;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// <c>realtimeseg record</c>: the annotated video. Files are processed losslessly (every input frame once, same
/// count and fps); cameras, streams and lavfi are recorded live by capture time for <c>--duration</c>.
/// </summary>
internal static class RecordCommand
{
    public static Command Create()
    {
        var model = new ModelArguments();
        var source = new SourceArguments();
        var overlay = new OverlayArguments(hud: true);
        var pipeline = new PipelineArguments();
        var output = new Option<string>("--out", "-o") { Description = "Output video: .mp4 (fragmented, H.264), .mov or .mkv", Required = true };
        var duration = new Option<double?>("--duration", "-t") { Description = "Seconds to record (live sources; default 10 for them, the whole file for files)" };
        var frames = new Option<long?>("--frames") { Description = "Stop after this many frames" };
        var fps = new Option<double?>("--fps") { Description = "Output frame rate (default: the source's, else 30)" };
        var snapshot = new Option<string?>("--snapshot") { Description = "Also save the last frame drawn as this PNG" };
        var noEncode = new Option<bool>("--no-encode") { Description = "Run everything but the encoder (measures what recording costs; no file is written)" };
        var results = new Option<string?>("--results") { Description = "Also write FILE.jsonl: one line per output frame with its index, capture time and the instances drawn (track id, class, score, box, mask as COCO RLE)" };
        var lossless = new Option<bool>("--lossless") { Description = "Process every source frame even for live-like sources (the synthetic scene then renders as fast as the pipeline takes it)" };
        var command = new Command("record", "Record annotated video: frames drawn by the overlay offscreen (EGL) and encoded with FFmpeg (H.264). Files: every frame; live sources: --duration seconds by capture time");
        model.AddTo(command);
        source.AddTo(command);
        overlay.AddTo(command);
        pipeline.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(duration);
        command.Options.Add(frames);
        command.Options.Add(fps);
        command.Options.Add(lossless);
        command.Options.Add(snapshot);
        command.Options.Add(results);
        command.Options.Add(noEncode);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string outPath = parse.GetValue(output)!;
            VideoWriter.CheckOutputPath(outPath); // before anything is loaded or created
            var spec = source.Spec(parse, "record");
            string? resultsPath = parse.GetValue(results);
            if (resultsPath is not null)
            {
                ResultsFile.CheckPath(resultsPath, outPath);
            }
            bool fileLike = spec.Kind is SourceKind.VideoFile or SourceKind.ImageFile or SourceKind.ImageSequence;
            // Files are processed frame by frame, each on its own result (sync); live sources are drawn live.
            var mode = pipeline.Mode(parse, fileLike || parse.GetValue(lossless) ? DisplayMode.Sync : DisplayMode.Live);
            if (mode == DisplayMode.Live && parse.GetValue(lossless))
            {
                throw new RealtimeSegException("--live draws camera frames the model never saw, --lossless gives the model every frame: give one of them");
            }
            if (mode == DisplayMode.Live && spec.Kind is SourceKind.ImageFile or SourceKind.ImageSequence)
            {
                throw new RealtimeSegException("--live needs a source with a clock (a camera, stream, video file or the synthetic scene); images are recorded one result per image: drop --live");
            }
            var sourceOptions = source.Options(parse);
            if (mode == DisplayMode.Live && spec.Kind == SourceKind.VideoFile)
            {
                sourceOptions = sourceOptions with { Realtime = true }; // a file played as a camera would show it
            }
            bool isLossless = mode == DisplayMode.Sync && (fileLike || parse.GetValue(lossless));
            double? seconds = parse.GetValue(duration);
            long? frameLimit = parse.GetValue(frames);
            if (seconds is <= 0 || frameLimit is <= 0)
            {
                throw new RealtimeSegException("--duration and --frames must be positive");
            }
            if (!isLossless && !fileLike && seconds is null && frameLimit is null)
            {
                seconds = 10;
            }
            if (parse.GetValue(fps) is { } f && (f <= 0 || f > 240))
            {
                throw new RealtimeSegException($"--fps {f.ToString(CultureInfo.InvariantCulture)} is out of range; use 1 to 240");
            }
            var plan = new RecordPlan(spec, sourceOptions, outPath, isLossless, seconds, frameLimit, parse.GetValue(fps), overlay.Options(parse), overlay.Segment(parse),
                Encode: !parse.GetValue(noEncode), Snapshot: parse.GetValue(snapshot), MaxInferenceFps: pipeline.MaxInferenceFps(parse), Mode: mode, Results: resultsPath);
            using var segmentation = model.Open(parse);
            return Run(segmentation, plan);
        }));
        return command;
    }

    /// <summary>Runs a recording with Ctrl+C handling and a status line; prints the summary.</summary>
    internal static int Run(Runtime.Model.SegmentationModel model, RecordPlan plan)
    {
        var recorder = new Recorder();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // the first Ctrl+C finishes the file; the second aborts (still playable)
            recorder.Interrupt();
            Console.Error.WriteLine("\nstopping: finishing the file (Ctrl+C again to abort now)");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            bool terminal = !Console.IsErrorRedirected;
            var summary = recorder.Run(model, plan, line =>
            {
                if (terminal)
                {
                    Console.Error.Write($"\r{line}    ");
                }
                else
                {
                    Console.Error.WriteLine(line);
                }
            });
            if (terminal)
            {
                Console.Error.WriteLine();
            }
            Console.Out.WriteLine(Recorder.Describe(summary));
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
