using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Structures;
using RealtimeSeg.Runtime.Tracking;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// <c>realtimeseg bench-live</c>: how well the masks on screen match the world, per display mode, on the synthetic
/// scene (whose ground truth is exact at every frame). The scene runs live at its rate, the model capped with
/// <c>--inference-fps</c>, and every captured frame is drawn live (EGL, offscreen) with the newest result published
/// before that frame's capture. Scores are mean mask IoU over the frame's ground-truth objects (unmatched: 0):
/// <list type="bullet">
/// <item><c>fresh</c>: each result against its own frame's truth (the model's own quality);</item>
/// <item><c>sync</c>: what sync mode shows at each display frame (the newest result on its own, older frame) against
/// the truth at that frame: the same masks as <c>live</c>, under an older picture; <c>sync.publishedIou</c> scores
/// each result only at its publication, the best moment a held result has;</item>
/// <item><c>live</c>: every frame with the newest result's masks where the model saw them;</item>
/// <item><c>motion</c>: every frame with the newest result's masks moved to the frame's time (live mode's default).</item>
/// </list>
/// Frames before the first result are not scored.
/// </summary>
internal static class BenchLiveCommand
{
    private const int TruthFrames = 64; // ground truth kept for recent frames: a result's frame is never older than this

    public static Command Create()
    {
        var args = new ModelArguments();
        args.Model.Required = false;
        var inferenceFps = new Option<double>("--inference-fps") { Description = "The model's rate cap; 0 for none", DefaultValueFactory = _ => 5 };
        var seconds = new Option<double>("--seconds") { Description = "Length of each run", DefaultValueFactory = _ => 10 };
        var fps = new Option<double>("--fps") { Description = "The scene's (camera's) frame rate", DefaultValueFactory = _ => 30 };
        var seed = new Option<int>("--seed") { Description = "The synthetic scene", DefaultValueFactory = _ => 1 };
        var maskSmoothing = new Option<float>("--mask-smoothing") { Description = "Blend each track's raw mask with its previous one by this weight (0: off, the default)" };
        var repeat = new Option<int>("--repeat") { Description = "Runs; the figures are their medians", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON (keys fresh.iou, sync.iou, live.iou, motion.iou, drawFps, inferenceFps, resultAgeMs)" };
        var command = new Command("bench-live", "Measure how well drawn masks match the moving synthetic scene's ground truth: each result on its own frame (fresh), sync mode, live mode with masks unmoved, and live mode with masks moved along their tracks (motion); default model: the shipped one");
        args.AddTo(command);
        foreach (var option in new Option[] { inferenceFps, seconds, fps, seed, maskSmoothing, repeat, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            double cap = parse.GetValue(inferenceFps), length = parse.GetValue(seconds), rate = parse.GetValue(fps);
            int runs = parse.GetValue(repeat);
            float smoothing = parse.GetValue(maskSmoothing);
            if (smoothing is < 0 or >= 1 || float.IsNaN(smoothing))
            {
                throw new RealtimeSegException($"--mask-smoothing {smoothing.ToString(CultureInfo.InvariantCulture)} is out of range; use 0 (off) to below 1 (e.g. 0.5)");
            }
            if (cap is < 0 or > 1000 || double.IsNaN(cap))
            {
                throw new RealtimeSegException($"--inference-fps {cap.ToString(CultureInfo.InvariantCulture)} is out of range; use 0 (no cap) to 1000");
            }
            if (length is <= 0 or > 3600 || rate is <= 0 or > 240 || runs is < 1 or > 20)
            {
                throw new RealtimeSegException("--seconds must be above 0 and at most 3600, --fps above 0 and at most 240, --repeat 1 to 20");
            }
            using var model = parse.GetValue(args.Model) is null
                ? SegmentationModel.Open(DemoCommand.FindModel(), Runtime.Onnx.InferenceOptions.Default, new ModelOptions())
                : args.Open(parse);
            var scene = new SyntheticSceneOptions { Width = 640, Height = 480, Fps = rate, Seed = parse.GetValue(seed) };
            var results = new List<LiveScores>();
            for (int r = 0; r < runs; r++)
            {
                results.Add(Run(model, scene, cap > 0 ? cap : null, length, smoothing, runs > 1 ? line => Console.Error.WriteLine($"run {r + 1}/{runs}: {line}") : null));
            }
            var median = LiveScores.Median(results);
            if (parse.GetValue(json))
            {
                var doc = median.ToJson();
                doc["model"] = model.Path;
                doc["provider"] = Runtime.Onnx.ExecutionProviders.CliName(model.Session.Provider);
                doc["inferenceFpsCap"] = cap;
                doc["sceneFps"] = rate;
                doc["seconds"] = length;
                doc["runs"] = runs;
                Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(doc, CliJson.Indented));
            }
            else
            {
                Console.Out.WriteLine(median.Describe(cap, rate, runs));
            }
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// How much each tracked mask changes from one result to the next beyond its predicted motion: 1 − IoU of the
    /// older mask moved to the newer result's time with the newer mask, per track seen in both.
    /// </summary>
    private static void Flicker(SegmentationResult older, SegmentationResult newer, Mean into, MaskBitmap olderMask, MaskBitmap newerMask)
    {
        var a = older.Instances;
        var b = newer.Instances;
        if (a.MaskKind == MaskKind.None || !a.IsTracked || !b.IsTracked)
        {
            return;
        }
        double dt = (newer.Frame.Timestamp - older.Frame.Timestamp) / (double)Stopwatch.Frequency;
        for (int i = 0; i < b.Count; i++)
        {
            for (int j = 0; j < a.Count; j++)
            {
                if (a.TrackIds[j] == b.TrackIds[i])
                {
                    into.AddIfScored(1 - MaskBitmap.Iou(a.PredictedMask(j, dt, olderMask), b.Mask(i, newerMask)));
                    break;
                }
            }
        }
    }

    private static LiveScores Run(SegmentationModel model, SyntheticSceneOptions scene, double? cap, double seconds, float smoothing, Action<string>? progress)
    {
        var source = new SourceOptions { Width = scene.Width, Height = scene.Height, Fps = scene.Fps };
        using var session = SegmentationSession.FromSource(model, SourceSpec.Parse($"synthetic:{scene.Seed}"), source,
            new PipelineOptions { MaxInferenceFps = cap, Tracking = TrackerOptions.Default with { MaskSmoothing = smoothing } }, DisplayMode.Live);
        using var context = new EglContext();
        using var overlay = new OverlayRenderer(context.Gl);
        using var target = new OffscreenTarget(context.Gl, scene.Width, scene.Height);
        var truthScene = new SyntheticShapesSource(scene);
        using var truthPixels = Frame.Allocate(scene.Width, scene.Height, PixelFormat.Rgb24);
        var truth = new InstanceSet[TruthFrames];
        var truthIds = new long[TruthFrames];
        Array.Fill(truthIds, -1);
        for (int i = 0; i < TruthFrames; i++)
        {
            truth[i] = new InstanceSet(SyntheticShapesSource.ClassLabels);
        }
        var agreement = new TruthAgreement();
        MaskBitmap olderMask = new(), newerMask = new(); // flicker's scratch, reused
        var scores = new LiveScores();
        var ages = new List<double>();
        using var picker = new LiveResultPicker(session.Pipeline);
        var clock = Stopwatch.StartNew();
        long drawn = 0;
        session.Start();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var wait = session.DisplayFrames!.Wait(TimeSpan.FromMilliseconds(200), out var frame);
            if (session.Fault is { } fault)
            {
                frame?.Dispose();
                throw new RealtimeSegException(fault.Message, fault);
            }
            if (wait == WaitOutcome.Ended)
            {
                break;
            }
            if (frame is null)
            {
                continue;
            }
            using (frame)
            {
                // The truth of this frame (the scene is deterministic: frame ids are scene frame indices).
                truthScene.Skip(frame.Id - truthScene.FrameIndex);
                int slot = (int)(frame.Id % TruthFrames);
                truthScene.Render(truthPixels, truth[slot]);
                truthIds[slot] = frame.Id;
                // What a live display showed at this frame's capture: the newest result published by then.
                using var before = picker.Current?.Retain();
                if (picker.Advance(frame.Timestamp))
                {
                    var fresh = picker.Current!;
                    if (before is not null)
                    {
                        Flicker(before, fresh, scores.Flicker, olderMask, newerMask);
                    }
                    int own = (int)(fresh.Frame.Id % TruthFrames);
                    if (truthIds[own] == fresh.Frame.Id)
                    {
                        scores.Fresh.AddIfScored(agreement.Score(truth[own], truthScene.MinInstanceArea, fresh.Instances, 0));
                    }
                    scores.Published.AddIfScored(agreement.Score(truth[slot], truthScene.MinInstanceArea, fresh.Instances, 0));
                }
                var latest = picker.Current;
                target.Bind();
                overlay.Draw(frame, latest, target.Viewport);
                context.Gl.Finish(); // each frame really drawn before the next: drawFps is honest
                drawn++;
                if (latest is null)
                {
                    continue;
                }
                double motion = OverlayRenderer.LiveInstances(frame, latest, OverlayOptions.Default).MotionSeconds; // as drawn above
                // Sync and live show the same masks at this instant (the newest result's, unmoved); they differ in the
                // picture under them, which is as old as the masks in sync mode and new in live mode.
                double? unmoved = agreement.Score(truth[slot], truthScene.MinInstanceArea, latest.Instances, 0);
                scores.Sync.AddIfScored(unmoved);
                scores.Live.AddIfScored(unmoved);
                scores.Motion.AddIfScored(agreement.Score(truth[slot], truthScene.MinInstanceArea, latest.Instances, motion));
                ages.Add(Stopwatch.GetElapsedTime(latest.Frame.Timestamp).TotalMilliseconds);
            }
        }
        double elapsed = clock.Elapsed.TotalSeconds;
        var stats = session.Pipeline.Stats;
        session.Stop();
        if (picker.Current is null)
        {
            throw new RealtimeSegException($"the model gave no result in {seconds:0.#} s; give it longer (--seconds) or a higher --inference-fps");
        }
        scores.DrawFps = drawn / elapsed;
        scores.InferenceFps = stats.ResultsOut / elapsed;
        ages.Sort();
        scores.ResultAgeMs = Percentile.NearestRank(ages.ToArray(), 0.5);
        scores.DroppedFrames = session.DisplayFrames!.Dropped;
        progress?.Invoke(scores.Describe(cap ?? 0, scene.Fps, 1).Split('\n')[0]);
        return scores;
    }

    /// <summary>One run's (or the runs' median) figures.</summary>
    private sealed class LiveScores
    {
        public readonly Mean Fresh = new(), Published = new(), Sync = new(), Live = new(), Motion = new(), Flicker = new();
        public double DrawFps, InferenceFps, ResultAgeMs;
        public long DroppedFrames;

        public static LiveScores Median(List<LiveScores> runs)
        {
            if (runs.Count == 1)
            {
                return runs[0];
            }
            static double M(IEnumerable<double> values)
            {
                var sorted = values.Order().ToArray();
                return Percentile.NearestRank(sorted, 0.5);
            }
            var m = new LiveScores
            {
                DrawFps = M(runs.Select(r => r.DrawFps)),
                InferenceFps = M(runs.Select(r => r.InferenceFps)),
                ResultAgeMs = M(runs.Select(r => r.ResultAgeMs)),
                DroppedFrames = (long)M(runs.Select(r => (double)r.DroppedFrames)),
            };
            m.Fresh.Set(M(runs.Select(r => r.Fresh.Value)), runs.Sum(r => r.Fresh.Count));
            m.Published.Set(M(runs.Select(r => r.Published.Value)), runs.Sum(r => r.Published.Count));
            m.Sync.Set(M(runs.Select(r => r.Sync.Value)), runs.Sum(r => r.Sync.Count));
            m.Live.Set(M(runs.Select(r => r.Live.Value)), runs.Sum(r => r.Live.Count));
            m.Motion.Set(M(runs.Select(r => r.Motion.Value)), runs.Sum(r => r.Motion.Count));
            m.Flicker.Set(M(runs.Select(r => r.Flicker.Value)), runs.Sum(r => r.Flicker.Count));
            return m;
        }

        public Dictionary<string, object> ToJson() => new()
        {
            ["fresh.iou"] = Math.Round(Fresh.Value, 4),
            ["sync.iou"] = Math.Round(Sync.Value, 4),
            ["sync.publishedIou"] = Math.Round(Published.Value, 4),
            ["live.iou"] = Math.Round(Live.Value, 4),
            ["motion.iou"] = Math.Round(Motion.Value, 4),
            ["motion.ratioToFresh"] = Math.Round(Motion.Value / Math.Max(Fresh.Value, 1e-9), 3),
            ["fresh.frames"] = Fresh.Count,
            ["sync.frames"] = Sync.Count,
            ["live.frames"] = Live.Count,
            ["flicker"] = Math.Round(Flicker.Value, 4),
            ["drawFps"] = Math.Round(DrawFps, 1),
            ["inferenceFps"] = Math.Round(InferenceFps, 2),
            ["resultAgeMs"] = Math.Round(ResultAgeMs, 1),
            ["droppedFrames"] = DroppedFrames,
        };

        public string Describe(double cap, double sceneFps, int runs)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"scene {sceneFps:0.#} fps, model {(cap > 0 ? $"capped at {cap:0.##} fps" : "uncapped")}: drawn {DrawFps:0.0} fps, model {InferenceFps:0.0} fps, drawn result {ResultAgeMs:0} ms old (median){(runs > 1 ? $", medians of {runs} runs" : "")}\n");
            text.Append(CultureInfo.InvariantCulture, $"fresh   {Fresh.Value:0.000}  each result on its own frame ({Fresh.Count} results)\n");
            text.Append(CultureInfo.InvariantCulture, $"sync    {Sync.Value:0.000}  every frame shows the newest result on its own old frame (at publication alone: {Published.Value:0.000})\n");
            text.Append(CultureInfo.InvariantCulture, $"live    {Live.Value:0.000}  every frame, newest masks where the model saw them ({Live.Count} frames)\n");
            text.Append(CultureInfo.InvariantCulture, $"motion  {Motion.Value:0.000}  every frame, newest masks moved to the frame's time ({Motion.Value / Math.Max(Fresh.Value, 1e-9):0.00} x fresh)\n");
            text.Append(CultureInfo.InvariantCulture, $"flicker {Flicker.Value:0.000}  1 - IoU of each track's mask with its previous one moved to its time ({Flicker.Count} pairs)");
            return text.ToString();
        }
    }

    /// <summary>A running mean of per-frame scores.</summary>
    private sealed class Mean
    {
        private double _sum;

        public int Count { get; private set; }

        public double Value => Count == 0 ? 0 : _sum / Count;

        public void AddIfScored(double? score)
        {
            if (score is { } s)
            {
                _sum += s;
                Count++;
            }
        }

        public void Set(double value, int count) => (_sum, Count) = (value * count, count);
    }
}
