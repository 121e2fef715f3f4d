using System.Diagnostics;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Pipeline;

/// <summary>The inference pipeline on the shipped model and the synthetic scene, whose ground truth is exact.</summary>
public sealed class PipelineTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly SegmentationModel _model = Fixtures.Open(Fixtures.DemoModel);

    public void Dispose() => _model.Dispose();

    private static SyntheticSceneOptions Scene(double fps = 30) => new() { Width = 640, Height = 480, Seed = 5, Fps = fps };

    private sealed record Snapshot(long Sequence, long FrameId, BoxF[] Boxes, float[] Scores, int[] Classes, float[] RawMasks);

    private static Snapshot Copy(SegmentationResult r)
    {
        var set = r.Instances;
        var raw = new float[set.Count * 28 * 28];
        for (int i = 0; i < set.Count; i++)
        {
            set.RawMask(i).CopyTo(raw.AsSpan(i * 28 * 28));
        }
        return new Snapshot(r.Sequence, r.Frame.Id, set.Boxes.ToArray(), set.Scores.ToArray(), set.ClassIds.ToArray(), raw);
    }

    /// <summary>Runs <paramref name="frames"/> scene frames through a lossless pipeline and keeps every result.</summary>
    private List<Snapshot> RunLossless(int frames, int slots, Action<SegmentationResult>? inspect = null)
    {
        using var capture = new CaptureLoop(new SyntheticFrameSource(Scene(), live: false, frameCount: frames), new CaptureOptions { Pacing = Pacing.Lossless });
        using var pipeline = new InferencePipeline(_model, (IFrameReader)capture.Frames, new PipelineOptions { Slots = slots, Lossless = true });
        capture.Start();
        pipeline.Start();
        var results = new List<Snapshot>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(clock.Elapsed < Patience, "the pipeline did not finish");
            var wait = pipeline.Results.Wait(TimeSpan.FromMilliseconds(200), out var result);
            if (wait == WaitOutcome.Ended)
            {
                break;
            }
            if (result is null)
            {
                continue;
            }
            using (result)
            {
                inspect?.Invoke(result);
                results.Add(Copy(result));
            }
        }
        Assert.Null(pipeline.Fault);
        pipeline.Dispose();
        Assert.Equal(0, pipeline.OutstandingResults);
        capture.Stop();
        Assert.Equal(0, capture.Pool.Outstanding);
        return results;
    }

    [Fact]
    public void LosslessProcessesEveryFrameOnceInOrderAndTwoSlotsAnswerAsOneDoes()
    {
        const int n = 24;
        var one = RunLossless(n, slots: 1);
        var two = RunLossless(n, slots: 2);
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), one.Select(r => r.Sequence));
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), two.Select(r => r.FrameId));
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), two.Select(r => r.Sequence));
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(one[i].Classes, two[i].Classes);
            Assert.Equal(one[i].Boxes, two[i].Boxes);
            Assert.Equal(one[i].Scores, two[i].Scores);
            Assert.Equal(one[i].RawMasks, two[i].RawMasks);
        }
        Assert.True(one.Sum(r => r.Classes.Length) > n, "the scene should give several instances per frame");
    }

    [Fact]
    public void EveryResultMatchesItsOwnFrame()
    {
        // The scene moves: a result paired with the wrong frame would miss its objects by many pixels.
        var ownTruth = new InstanceSet(SyntheticShapesSource.ClassLabels);
        int matchedOwn = 0, matchedShifted = 0, total = 0;
        RunLossless(40, slots: 2, result =>
        {
            var (own, shifted) = (TruthAt(result.Frame.Id), TruthAt(result.Frame.Id + 15));
            // The result's frame must be the frame the scene rendered at that id.
            using var rendered = Frame.Allocate(640, 480, PixelFormat.Rgb24);
            Render(result.Frame.Id, rendered, ownTruth);
            Assert.True(rendered.Pixels.SequenceEqual(result.Frame.Pixels), $"result {result.Sequence} carries the wrong frame");
            total += own.Count;
            matchedOwn += Matches(result.Instances, own);
            matchedShifted += Matches(result.Instances, shifted);
        });
        Assert.True(matchedOwn >= 0.85 * total, $"{matchedOwn} of {total} ground-truth boxes matched on the result's own frame");
        Assert.True(matchedShifted < 0.6 * matchedOwn, $"half a second later the scene should have moved ({matchedShifted} vs {matchedOwn})");
    }

    private static InstanceSet TruthAt(long frameId)
    {
        var truth = new InstanceSet(SyntheticShapesSource.ClassLabels);
        using var frame = Frame.Allocate(640, 480, PixelFormat.Rgb24);
        Render(frameId, frame, truth);
        return truth;
    }

    private static void Render(long frameId, Frame frame, InstanceSet truth)
    {
        var scene = new SyntheticShapesSource(Scene());
        scene.Skip(frameId);
        scene.Render(frame, truth);
    }

    /// <summary>Ground-truth instances (large enough to count) that a same-class prediction covers at box IoU ≥ 0.7.</summary>
    private static int Matches(InstanceSet predicted, InstanceSet truth) =>
        Enumerable.Range(0, truth.Count).Count(g => Enumerable.Range(0, predicted.Count).Any(p =>
            predicted.ClassIds[p] == truth.ClassIds[g] && BoxF.Iou(predicted.Boxes[p], truth.Boxes[g]) >= 0.7f));

    [Fact]
    public void LiveLatencyStaysBoundedWhenTheSourceIsFasterThanInference()
    {
        // 150 fps in, about 60 fps of inference: a queue would grow by ~90 frames a second. Newest-wins must not.
        using var capture = new CaptureLoop(new SyntheticFrameSource(Scene(fps: 150), live: true));
        using var pipeline = new InferencePipeline(_model, (IFrameReader)capture.Frames, new PipelineOptions { Slots = 2 });
        capture.Start();
        pipeline.Start();
        var latencies = new List<double>();
        long lastSequence = -1;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            if (pipeline.Results.Wait(TimeSpan.FromMilliseconds(200), out var result) == WaitOutcome.Item)
            {
                using (result)
                {
                    Assert.True(result!.Sequence > lastSequence, "sequence numbers must increase");
                    lastSequence = result.Sequence;
                    latencies.Add(result.Latency.TotalMilliseconds);
                }
            }
        }
        var stats = pipeline.Stats;
        Assert.True(latencies.Count > 20, $"only {latencies.Count} results in 3 s");
        Assert.True(stats.Dropped > 0, "a source faster than inference must drop frames in live mode");
        // Bounded: the last second's latency is no worse than a few run times, and no worse than the first's.
        double run = stats.RunMs;
        var early = latencies.Take(latencies.Count / 3).Order().ToList();
        var late = latencies.Skip(2 * latencies.Count / 3).Order().ToList();
        double lateP50 = late[late.Count / 2], earlyP50 = early[early.Count / 2];
        Assert.True(lateP50 < 4 * run + 20, $"latency p50 {lateP50:0.0} ms in the last second with runs of {run:0.0} ms");
        Assert.True(lateP50 < 2 * earlyP50 + 10, $"latency grew from {earlyP50:0.0} to {lateP50:0.0} ms");
    }

    [Fact]
    public void AnInferenceRateCapSpacesTheFramesTheModelGets()
    {
        // 150 fps in, the model (about 60 fps here uncapped) capped at 8: frames it gets are an interval apart,
        // each the newest at its turn, so their capture times are at least 125 ms less one source period apart.
        const double cap = 8;
        using var capture = new CaptureLoop(new SyntheticFrameSource(Scene(fps: 150), live: true));
        using var pipeline = new InferencePipeline(_model, (IFrameReader)capture.Frames, new PipelineOptions { Slots = 2, MaxInferenceFps = cap });
        // The clock starts before the pipeline, so every take the pipeline makes falls inside the measured time
        // and the count bound is the pacer's own guarantee, not a race with its first take.
        var clock = Stopwatch.StartNew();
        capture.Start();
        pipeline.Start();
        var captureTimes = new List<long>();
        while (clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            if (pipeline.Results.Wait(TimeSpan.FromMilliseconds(200), out var result) == WaitOutcome.Item)
            {
                using (result)
                {
                    captureTimes.Add(result!.Frame.Timestamp);
                }
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Assert.Null(pipeline.Fault);
        Assert.InRange(captureTimes.Count, 3, (int)(seconds * cap) + 1);
        var gaps = captureTimes.Zip(captureTimes.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds).ToList();
        // The median, not the minimum: one capture-thread stall on a loaded machine makes one frame older than
        // its turn and one gap short, which says nothing about the pacer (the count bound above is its promise).
        double medianGap = gaps.Order().ElementAt(gaps.Count / 2);
        Assert.True(medianGap >= 1000 / cap - 40, $"results from frames captured {medianGap:0} ms apart (median) under a {cap} fps cap");
        Assert.True(pipeline.Stats.Dropped > 0, "the frames between turns are dropped in live mode");
    }

    [Fact]
    public void AnInferenceRateCapMustBePositive()
    {
        foreach (double bad in new[] { 0, -5, double.NaN, 5000 })
        {
            var e = Assert.Throws<Runtime.RealtimeSegException>(() => new InferencePipeline(_model, new LatestFrame(), new PipelineOptions { MaxInferenceFps = bad }));
            Assert.Contains("PipelineOptions.MaxInferenceFps", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SteadyStateAllocatesNothingPerFrame()
    {
        using var capture = new CaptureLoop(new SyntheticFrameSource(Scene(), live: false, frameCount: 230), new CaptureOptions { Pacing = Pacing.Lossless });
        using var pipeline = new InferencePipeline(_model, (IFrameReader)capture.Frames, new PipelineOptions { Slots = 2, Lossless = true, WarmupFrames = 30 });
        capture.Start();
        pipeline.Start();
        var clock = Stopwatch.StartNew();
        while (pipeline.Results.Wait(TimeSpan.FromMilliseconds(200), out var result) != WaitOutcome.Ended)
        {
            Assert.True(clock.Elapsed < Patience);
            result?.Dispose();
        }
        var stats = pipeline.Stats;
        Assert.Equal(230, stats.ResultsOut);
        Assert.True(stats.AllocationFrames >= 200, $"{stats.AllocationFrames} frames measured");
        Assert.True(stats.AllocatedBytesPerFrame == 0, $"our code on the pipeline threads allocated {stats.AllocatedBytesPerFrame:0.0} bytes per frame in steady state");
        // ORT's managed API allocates its output wrappers each run: measured apart, and small.
        Assert.InRange(stats.OrtAllocatedBytesPerFrame, 1, 2048);
    }

    [Fact]
    public void StopAndDisposeArePromptEvenMidRun()
    {
        using var capture = new CaptureLoop(new SyntheticFrameSource(Scene(fps: 100), live: true));
        var pipeline = new InferencePipeline(_model, (IFrameReader)capture.Frames, new PipelineOptions { Slots = 2 });
        capture.Start();
        pipeline.Start();
        Assert.Equal(WaitOutcome.Item, pipeline.Results.Wait(Patience, out var first));
        first!.Dispose();
        var clock = Stopwatch.StartNew();
        pipeline.Dispose();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"dispose took {clock.ElapsedMilliseconds} ms");
        Assert.True(pipeline.IsCompleted);
        Assert.Equal(0, pipeline.OutstandingResults);
        capture.Stop();
        Assert.Equal(0, capture.Pool.Outstanding);
    }

    [Fact]
    public void AFailureInsideTheModelReachesTheReaderWithTheFrameId()
    {
        using var model = Fixtures.Open(Fixtures.Model("mismatched_counts.onnx"));
        using var capture = new CaptureLoop(new SyntheticFrameSource(Scene(), live: false, frameCount: 10), new CaptureOptions { Pacing = Pacing.Lossless });
        using var pipeline = new InferencePipeline(model, (IFrameReader)capture.Frames, new PipelineOptions { Slots = 2, Lossless = true });
        capture.Start();
        pipeline.Start();
        var e = Assert.Throws<PipelineException>(() =>
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < Patience && pipeline.Results.Wait(TimeSpan.FromMilliseconds(200), out var r) != WaitOutcome.Ended)
            {
                r?.Dispose();
            }
        });
        Assert.Equal(0, e.FrameId);
        Assert.Contains("inference failed on frame 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("must agree in count", e.Message, StringComparison.Ordinal);
        Assert.True(SpinWait.SpinUntil(() => pipeline.IsCompleted, 1000));
        pipeline.Dispose();
        Assert.Equal(0, pipeline.OutstandingResults);
        capture.Stop();
        Assert.Equal(0, capture.Pool.Outstanding);
    }

    [Fact]
    public void TheDefaultSlotCountFollowsTheProvider()
    {
        using var pipeline = new InferencePipeline(_model, new LatestFrame());
        Assert.Equal(1, pipeline.Options.Slots); // the CPU provider: pre/post is 3% of a run here (see PipelineOptions.Slots)
        Assert.Throws<Runtime.RealtimeSegException>(() => new InferencePipeline(_model, new LatestFrame(), new PipelineOptions { Slots = 9 }));
    }

    [Fact]
    public void AHostCanPushItsOwnFramesAndReadTheLatestResult()
    {
        var inbox = new LatestFrame();
        using var pipeline = new InferencePipeline(_model, inbox, new PipelineOptions { Slots = 1 });
        pipeline.Start();
        using var pool = new FramePool();
        var frame = pool.Rent(640, 480, PixelFormat.Rgb24);
        var truth = new InstanceSet(SyntheticShapesSource.ClassLabels);
        Render(0, frame, truth);
        frame.Id = 77;
        frame.Timestamp = Stopwatch.GetTimestamp();
        inbox.Publish(frame);
        Assert.True(SpinWait.SpinUntil(() => pipeline.LatestSequence == 0, 10_000));
        Assert.True(pipeline.TryGetLatest(out var latest));
        using (latest)
        {
            Assert.Equal(77, latest.Frame.Id);
            Assert.True(Matches(latest.Instances, truth) >= truth.Count - 1);
        }
        inbox.Complete();
        Assert.True(SpinWait.SpinUntil(() => pipeline.IsCompleted, 2000));
        pipeline.Dispose();
        Assert.Equal(0, pool.Outstanding);
    }
}
