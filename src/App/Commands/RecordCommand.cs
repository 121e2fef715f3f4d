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
        var output = new Option<string?>("--out", "-o") { Description = "Output video: .mp4 (fragmented, H.264), .mov or .mkv; with several --source a name with {n}, e.g. 'cam{n}.mp4', for a file per stream (n from 0)" };
        var mosaic = new Option<string?>("--mosaic") { Description = "With several --source: one video of every stream tiled in a grid (each tile its own HUD), drawn live at --fps by the wall clock" };
        var mosaicSize = new Option<string>("--mosaic-size") { Description = "The mosaic's frame size WxH (even numbers)", DefaultValueFactory = _ => "1280x720" };
        var duration = new Option<double?>("--duration", "-t") { Description = "Seconds to record, every stream (default: 10 for live sources, the whole file for files)" };
        var frames = new Option<long?>("--frames") { Description = "Stop after this many frames" };
        var fps = new Option<double?>("--fps") { Description = "Output frame rate (default: the source's, else 30)" };
        var snapshot = new Option<string?>("--snapshot") { Description = "Also save the last frame drawn as this PNG" };
        var noEncode = new Option<bool>("--no-encode") { Description = "Run everything but the encoder (measures what recording costs; no file is written)" };
        var results = new Option<string?>("--results") { Description = "Also write FILE.jsonl: one line per output frame with its index, capture time and the instances drawn (track id, class, score, box, mask as COCO RLE)" };
        var lossless = new Option<bool>("--lossless") { Description = "Process every source frame even for live-like sources (the synthetic scene then renders as fast as the pipeline takes it)" };
        var command = new Command("record", "Record annotated video: frames drawn by the overlay offscreen (EGL) and encoded with FFmpeg (H.264). Files: every frame; live sources: --duration seconds by capture time. Several --source go through one model: a file per stream (--out 'cam{n}.mp4') or one tiled video (--mosaic FILE)");
        model.AddTo(command);
        source.AddTo(command);
        overlay.AddTo(command);
        pipeline.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(mosaic);
        command.Options.Add(mosaicSize);
        command.Options.Add(duration);
        command.Options.Add(frames);
        command.Options.Add(fps);
        command.Options.Add(lossless);
        command.Options.Add(snapshot);
        command.Options.Add(results);
        command.Options.Add(noEncode);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var specs = source.Specs(parse);
            string? outPath = parse.GetValue(output);
            string? mosaicPath = parse.GetValue(mosaic);
            string? resultsPath = parse.GetValue(results);
            if (mosaicPath is not null)
            {
                if (outPath is not null)
                {
                    throw new RealtimeSegException("--mosaic and --out both given: --mosaic FILE for one tiled video, --out 'cam{n}.mp4' for a file per stream");
                }
                if (parse.GetValue(lossless) || parse.GetValue(pipeline.Sync))
                {
                    throw new RealtimeSegException("--mosaic draws every stream live by the wall clock; drop --lossless/--sync, or record a file per stream with --out 'cam{n}.mp4'");
                }
                VideoWriter.CheckOutputPath(mosaicPath);
                if (resultsPath is not null)
                {
                    ResultsFile.CheckPath(resultsPath, mosaicPath);
                }
                var (w, h) = CliParsing.Size(parse.GetValue(mosaicSize)!, "--mosaic-size");
                if (w % 2 != 0 || h % 2 != 0)
                {
                    throw new RealtimeSegException($"--mosaic-size {w}x{h}: give even numbers (H.264 4:2:0 halves each side)");
                }
                var (seconds, frameLimit, fileFps) = Limits(parse, duration, frames, fps, defaultSeconds: 10);
                var plan = new MosaicPlan(specs, source.Options(parse), mosaicPath, w, h, seconds, frameLimit, fileFps ?? 30, overlay.Options(parse), overlay.Segment(parse),
                    Encode: !parse.GetValue(noEncode), Snapshot: parse.GetValue(snapshot), MaxInferenceFps: pipeline.MaxInferenceFps(parse), Results: resultsPath);
                using var mosaicModel = model.Open(parse);
                return RunMosaic(mosaicModel, plan);
            }
            if (outPath is null)
            {
                throw new RealtimeSegException(specs.Count > 1
                    ? "give --out 'cam{n}.mp4' (a file per stream) or --mosaic FILE (one tiled video)"
                    : "give --out FILE.mp4 (or .mov, .mkv): where the recording goes");
            }
            if (specs.Count > 1 && !outPath.Contains(StreamToken, StringComparison.Ordinal))
            {
                throw new RealtimeSegException($"--out '{outPath}' names one file for {specs.Count} streams; put {StreamToken} in it for a file per stream (e.g. 'cam{StreamToken}.mp4'), or use --mosaic FILE");
            }
            if (specs.Count > 1 && resultsPath is not null && !resultsPath.Contains(StreamToken, StringComparison.Ordinal))
            {
                throw new RealtimeSegException($"--results '{resultsPath}' names one file for {specs.Count} streams; put {StreamToken} in it too (e.g. 'cam{StreamToken}.jsonl')");
            }
            var plans = new List<RecordPlan>(specs.Count);
            for (int i = 0; i < specs.Count; i++)
            {
                plans.Add(Plan(parse, specs[i], ForStream(outPath, i), resultsPath is null ? null : ForStream(resultsPath, i), specs.Count > 1 ? i : null));
            }
            using var segmentation = model.Open(parse);
            return plans.Count == 1 ? Run(segmentation, plans[0]) : RunEach(segmentation, plans);
        }));
        return command;

        RecordPlan Plan(ParseResult parse, SourceSpec spec, string outPath, string? resultsPath, int? stream)
        {
            VideoWriter.CheckOutputPath(outPath); // before anything is loaded or created
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
            var (seconds, frameLimit, fileFps) = Limits(parse, duration, frames, fps, defaultSeconds: !isLossless && !fileLike ? 10 : null);
            return new RecordPlan(spec, sourceOptions, outPath, isLossless, seconds, frameLimit, fileFps, overlay.Options(parse), overlay.Segment(parse),
                Encode: !parse.GetValue(noEncode), Snapshot: parse.GetValue(snapshot) is { } shot ? ForStream(shot, stream ?? 0) : null,
                MaxInferenceFps: pipeline.MaxInferenceFps(parse), Mode: mode, Results: resultsPath, Stream: stream);
        }
    }

    /// <summary>What stands for the stream's number (0 for the first --source) in --out, --results and --snapshot.</summary>
    internal const string StreamToken = "{n}";

    private static string ForStream(string path, int stream) => path.Replace(StreamToken, stream.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static (double? Seconds, long? Frames, double? Fps) Limits(ParseResult parse, Option<double?> duration, Option<long?> frames, Option<double?> fps, double? defaultSeconds)
    {
        double? seconds = parse.GetValue(duration);
        long? frameLimit = parse.GetValue(frames);
        if (seconds is <= 0 || frameLimit is <= 0)
        {
            throw new RealtimeSegException("--duration and --frames must be positive");
        }
        if (seconds is null && frameLimit is null)
        {
            seconds = defaultSeconds;
        }
        if (parse.GetValue(fps) is { } f && (f <= 0 || f > 240))
        {
            throw new RealtimeSegException($"--fps {f.ToString(CultureInfo.InvariantCulture)} is out of range; use 1 to 240");
        }
        return (seconds, frameLimit, parse.GetValue(fps));
    }

    /// <summary>
    /// A file per stream, every stream recorded at once on its own thread through the one model. A stream that
    /// fails is said with its number while the others finish their files; the exit code is then 2 (bad input).
    /// </summary>
    internal static int RunEach(Runtime.Model.SegmentationModel model, IReadOnlyList<RecordPlan> plans)
    {
        var recorders = plans.Select(_ => new Recorder()).ToArray();
        var lines = new string?[plans.Count];
        var summaries = new RecordSummary?[plans.Count];
        var errors = new string?[plans.Count];
        Interruptible(() => Array.ForEach(recorders, r => r.Interrupt()), "the files", status =>
        {
            var threads = plans.Select((plan, i) => new Thread(() =>
            {
                try
                {
                    summaries[i] = recorders[i].Run(model, plan, line => Volatile.Write(ref lines[i], line));
                }
                catch (Exception e) when (e is RealtimeSegException or IOException or UnauthorizedAccessException)
                {
                    errors[i] = e.Message;
                }
            }) { Name = $"record stream {i}" }).ToList();
            threads.ForEach(t => t.Start());
            while (!threads.All(t => t.Join(TimeSpan.FromSeconds(1))))
            {
                status(string.Join(" | ", lines.Select((_, i) => $"{i}: {Volatile.Read(ref lines[i]) ?? "opening"}"))); // every stream, once a second
            }
            return true;
        });
        for (int i = 0; i < plans.Count; i++)
        {
            if (summaries[i] is { } summary)
            {
                Console.Out.WriteLine($"stream {i} ({plans[i].Source}): " + Recorder.Describe(summary).Replace("\n", "\n  ", StringComparison.Ordinal));
            }
        }
        for (int i = 0; i < plans.Count; i++)
        {
            if (errors[i] is { } error)
            {
                Console.Error.WriteLine($"error: stream {i} ({plans[i].Source}): {CliWording.ForCommandLine(error)}");
            }
        }
        return errors.Any(e => e is not null) ? CommandRunner.UserError : 0;
    }

    /// <summary>Runs a recording with Ctrl+C handling and a status line; prints the summary.</summary>
    internal static int Run(Runtime.Model.SegmentationModel model, RecordPlan plan)
    {
        var recorder = new Recorder();
        var summary = Interruptible(recorder.Interrupt, "the file", status => recorder.Run(model, plan, status));
        Console.Out.WriteLine(Recorder.Describe(summary));
        return 0;
    }

    /// <summary>One tiled video of every stream, with Ctrl+C handling and a status line.</summary>
    internal static int RunMosaic(Runtime.Model.SegmentationModel model, MosaicPlan plan)
    {
        var recorder = new MosaicRecorder();
        var summary = Interruptible(recorder.Interrupt, "the file", status => recorder.Run(model, plan, status));
        var grid = TileGrid.For(plan.Sources.Count);
        Console.Out.WriteLine($"mosaic of {plan.Sources.Count} streams ({grid.Columns}x{grid.Rows} tiles, {plan.Width}x{plan.Height}): results per stream {string.Join(", ", recorder.PerStreamResults)}");
        Console.Out.WriteLine(Recorder.Describe(summary).Replace(" by the live source", "", StringComparison.Ordinal));
        return recorder.Failed ? CommandRunner.UserError : 0;
    }

    /// <summary>
    /// Runs <paramref name="record"/> with a status line (rewritten in place on a terminal, a line each otherwise)
    /// and Ctrl+C wired to <paramref name="interrupt"/>: the first finishes <paramref name="what"/>, the second aborts.
    /// </summary>
    private static T Interruptible<T>(Action interrupt, string what, Func<Action<string>, T> record)
    {
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // the first Ctrl+C finishes the file; the second aborts (still playable)
            interrupt();
            Console.Error.WriteLine($"\nstopping: finishing {what} (Ctrl+C again to abort now)");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            bool terminal = !Console.IsErrorRedirected;
            var result = record(line =>
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
            return result;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

}
