using System.Diagnostics;
using System.Globalization;
using System.Text;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// <c>realtimeseg bench --source S</c>: the bare <c>Run</c> loop and the full pipeline (1 and 2 slots) side by side
/// on the same captured frames, in one process and one run, so the ratio is honest. Frames are captured first
/// (decode cost is <c>bench-decode</c>'s subject), then fed to each pipeline as fast as it takes them.
/// </summary>
internal static class PipelineBench
{
    internal sealed record Pass(string Name, int Slots, double Fps, PipelineStats? Stats, BenchCommand.Stats? Run);

    public static (string Text, string Json) Run(SegmentationModel model, SourceSpec spec, SourceOptions sourceOptions, int frames, int[] slotCounts, int repeats, bool quiet)
    {
        var captured = Capture(spec, sourceOptions, frames, quiet);
        try
        {
            var passes = new List<Pass> { Bare(model, captured) };
            foreach (int slots in slotCounts)
            {
                passes.Add(Pipeline(model, captured, slots, repeats, quiet));
            }
            return (Text(model, spec, captured, passes), Json(model, spec, captured, passes));
        }
        finally
        {
            captured.ForEach(f => f.Dispose());
        }
    }

    internal static List<Frame> Capture(SourceSpec spec, SourceOptions options, int count, bool quiet)
    {
        if (spec.Kind == SourceKind.Synthetic)
        {
            options = options with { Unpaced = true }; // as fast as it renders: the bench needs frames, not a clock
        }
        using var capture = new CaptureLoop(FrameSources.Create(spec, options), new CaptureOptions { Pacing = Pacing.Lossless });
        capture.Start();
        var frames = new List<Frame>(count);
        while (frames.Count < count)
        {
            var wait = capture.Frames.Wait(TimeSpan.FromSeconds(30), out var frame);
            if (wait == WaitOutcome.Ended)
            {
                break;
            }
            if (wait == WaitOutcome.Timeout)
            {
                throw new RealtimeSegException($"'{spec}' gave no frame for 30 s");
            }
            frames.Add(frame!);
        }
        if (frames.Count == 0)
        {
            throw new RealtimeSegException($"'{spec}' gave no frames");
        }
        if (!quiet)
        {
            Console.Error.WriteLine($"bench: captured {frames.Count} frames from {spec}");
        }
        return frames;
    }

    /// <summary>One slot, frames preprocessed outside the timing: ORT's Run alone.</summary>
    private static Pass Bare(SegmentationModel model, List<Frame> frames)
    {
        using var slot = model.CreateSlot();
        var times = new double[frames.Count];
        for (int i = 0; i < frames.Count; i++)
        {
            slot.Preprocess(frames[i]);
            long t0 = Stopwatch.GetTimestamp();
            slot.Run();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        var stats = BenchCommand.Stats.Of(times);
        return new Pass("bare Run", 1, 1000.0 * frames.Count / times.Sum(), null, stats);
    }

    private static Pass Pipeline(SegmentationModel model, List<Frame> frames, int slots, int repeats, bool quiet)
    {
        // Capacity 1: the feeder hands over a frame the moment a slot can take it, so latency is the pipeline's
        // own (a full queue would add its depth to every frame).
        var input = new FrameQueue(1);
        using var pipeline = new InferencePipeline(model, input, new PipelineOptions { Slots = slots, Lossless = true, WarmupFrames = Math.Min(20, frames.Count / 4) });
        var feeder = new Thread(() =>
        {
            foreach (var frame in Enumerable.Repeat(frames, repeats).SelectMany(f => f))
            {
                frame.Timestamp = Stopwatch.GetTimestamp();
                if (!input.Add(frame.Retain()))
                {
                    break;
                }
            }
            input.Complete();
        }) { IsBackground = true, Name = "bench feeder" };
        var clock = Stopwatch.StartNew();
        pipeline.Start();
        feeder.Start();
        long results = 0;
        while (pipeline.Results.Wait(TimeSpan.FromSeconds(30), out var result) != WaitOutcome.Ended)
        {
            result?.Dispose();
            results++;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        feeder.Join();
        if (!quiet)
        {
            Console.Error.WriteLine($"bench: pipeline with {slots} slot(s) done");
        }
        return new Pass($"pipeline {slots} slot{(slots == 1 ? "" : "s")}", slots, results / seconds, pipeline.Stats, null);
    }

    private static string Header(SegmentationModel model, SourceSpec spec, List<Frame> frames) =>
        $"model       {model.Path}\nprovider    {ExecutionProviders.CliName(model.Session.Provider)} (ONNX Runtime {OrtLibrary.Version}), {(model.Session.IntraOpThreads == 0 ? "ORT's default" : model.Session.IntraOpThreads.ToString(CultureInfo.InvariantCulture))} intra-op threads, {Environment.ProcessorCount} cores\n" +
        $"frames      {frames.Count} x {frames[0].Width}x{frames[0].Height} from {spec}\n";

    private static string Text(SegmentationModel model, SourceSpec spec, List<Frame> frames, List<Pass> passes)
    {
        var bare = passes[0];
        var sb = new StringBuilder(Header(model, spec, frames));
        sb.Append(CultureInfo.InvariantCulture, $"{bare.Name,-17} {bare.Fps,6:0.0} fps                 run mean {bare.Run!.Mean:0.00} ms  p50 {bare.Run.P50:0.00}  p95 {bare.Run.P95:0.00}\n");
        foreach (var p in passes.Skip(1))
        {
            var s = p.Stats!;
            sb.Append(CultureInfo.InvariantCulture, $"{p.Name,-17} {p.Fps,6:0.0} fps  ratio {p.Fps / bare.Fps:0.00}   ");
            sb.Append(CultureInfo.InvariantCulture, $"wait {s.WaitMs:0.00}  pre {s.PreprocessMs:0.00}  run {s.RunMs:0.00}  post {s.PostprocessMs:0.00} ms\n");
            sb.Append(CultureInfo.InvariantCulture, $"{"",-17} latency p50/p95/p99 {s.LatencyP50Ms:0.0}/{s.LatencyP95Ms:0.0}/{s.LatencyP99Ms:0.0} ms   frame time {s.FrameTimeP50Ms:0.0}/{s.FrameTimeP95Ms:0.0}/{s.FrameTimeP99Ms:0.0} ms   ");
            sb.Append(CultureInfo.InvariantCulture, $"GC {s.Gen0Collections}/{s.Gen1Collections}/{s.Gen2Collections}\n");
            sb.Append(CultureInfo.InvariantCulture, $"{"",-17} alloc ours {s.AllocatedBytesPerFrame:0} B/frame   ORT managed API {s.OrtAllocatedBytesPerFrame:0} B/frame (over {s.AllocationFrames} frames)\n");
        }
        return sb.ToString().TrimEnd();
    }

    private static string Json(SegmentationModel model, SourceSpec spec, List<Frame> frames, List<Pass> passes)
    {
        var bare = passes[0];
        var doc = new Dictionary<string, object>
        {
            ["model"] = model.Path,
            ["provider"] = ExecutionProviders.CliName(model.Session.Provider),
            ["ortVersion"] = OrtLibrary.Version,
            ["intraOpThreads"] = model.Session.IntraOpThreads,
            ["source"] = spec.Text,
            ["frames"] = frames.Count,
            ["frame"] = $"{frames[0].Width}x{frames[0].Height}",
            ["bare.fps"] = Math.Round(bare.Fps, 2),
            ["bare.meanMs"] = Math.Round(bare.Run!.Mean, 3),
            ["bare.p50Ms"] = Math.Round(bare.Run.P50, 3),
            ["bare.p95Ms"] = Math.Round(bare.Run.P95, 3),
        };
        foreach (var p in passes.Skip(1))
        {
            var s = p.Stats!;
            string k = $"pipeline{p.Slots}";
            doc[$"{k}.fps"] = Math.Round(p.Fps, 2);
            doc[$"{k}.ratio"] = Math.Round(p.Fps / bare.Fps, 3);
            doc[$"{k}.waitMs"] = Math.Round(s.WaitMs, 3);
            doc[$"{k}.preprocessMs"] = Math.Round(s.PreprocessMs, 3);
            doc[$"{k}.runMs"] = Math.Round(s.RunMs, 3);
            doc[$"{k}.postprocessMs"] = Math.Round(s.PostprocessMs, 3);
            doc[$"{k}.latencyP50Ms"] = Math.Round(s.LatencyP50Ms, 2);
            doc[$"{k}.latencyP95Ms"] = Math.Round(s.LatencyP95Ms, 2);
            doc[$"{k}.latencyP99Ms"] = Math.Round(s.LatencyP99Ms, 2);
            doc[$"{k}.frameTimeP50Ms"] = Math.Round(s.FrameTimeP50Ms, 2);
            doc[$"{k}.frameTimeP95Ms"] = Math.Round(s.FrameTimeP95Ms, 2);
            doc[$"{k}.frameTimeP99Ms"] = Math.Round(s.FrameTimeP99Ms, 2);
            doc[$"{k}.allocBytesPerFrame"] = Math.Round(s.AllocatedBytesPerFrame, 1);
            doc[$"{k}.ortAllocBytesPerFrame"] = Math.Round(s.OrtAllocatedBytesPerFrame, 1);
            doc[$"{k}.gen0"] = s.Gen0Collections;
            doc[$"{k}.gen1"] = s.Gen1Collections;
            doc[$"{k}.gen2"] = s.Gen2Collections;
        }
        // The headline keys: the default pipeline (the most slots measured) against bare.
        var best = passes.Skip(1).MaxBy(p => p.Slots);
        if (best is not null)
        {
            doc["pipeline.fps"] = Math.Round(best.Fps, 2);
            doc["ratio"] = Math.Round(best.Fps / bare.Fps, 3);
            doc["allocBytesPerFrame"] = Math.Round(best.Stats!.AllocatedBytesPerFrame, 1);
            doc["ortAllocBytesPerFrame"] = Math.Round(best.Stats.OrtAllocatedBytesPerFrame, 1);
        }
        return System.Text.Json.JsonSerializer.Serialize(doc, CliJson.Indented);
    }
}
