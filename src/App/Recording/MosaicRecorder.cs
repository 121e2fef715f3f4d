using System.Diagnostics;
using RealtimeSeg.App.Commands;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Recording;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Processing;

namespace RealtimeSeg.App.Recording;

/// <summary>What a mosaic recording is asked to do: several streams tiled into one video.</summary>
internal sealed record MosaicPlan(
    IReadOnlyList<SourceSpec> Sources,
    SourceOptions SourceOptions,
    string Output,
    int Width,
    int Height,
    double? Seconds,
    long? Frames,
    double Fps,
    OverlayOptions Overlay,
    SegmentOptions Segment,
    bool Encode = true,
    string? Snapshot = null,
    double? MaxInferenceFps = null,
    string? Results = null);

/// <summary>
/// <c>record --mosaic FILE</c>: every stream live through the one model, tiled (<see cref="TiledStreams"/>) on one
/// offscreen canvas drawn at the output rate by the wall clock, each tile with its newest frame and result, read
/// back asynchronously and encoded. A stalled or reconnecting stream keeps its last picture in its tile while the
/// others move; files play at their own rate and hold their last frame once they end, until every stream has ended
/// or the duration is up.
/// </summary>
internal sealed class MosaicRecorder
{
    // A camera that reconnects with back-off may take a few tries; beyond this no stream is coming.
    private static readonly TimeSpan FirstPictureTimeout = TimeSpan.FromSeconds(30);

    private volatile int _interrupts;

    /// <summary>First Ctrl+C: finish the file cleanly. Second: abort fast (fragmented MP4 stays playable).</summary>
    public void Interrupt() => Interlocked.Increment(ref _interrupts);

    public RecordSummary Run(SegmentationModel model, MosaicPlan plan, Action<string>? status = null)
    {
        using var streams = StreamSet.Open(model, plan.Sources, plan.SourceOptions,
            new PipelineOptions { Lossless = false, Segment = plan.Segment, MaxInferenceFps = plan.MaxInferenceFps }, DisplayMode.Live, realtimeFiles: true);
        using var context = new EglContext();
        using var overlay = new OverlayRenderer(context.Gl);
        using var tiles = new TiledStreams(streams.Sessions.Select(s => (s.Pipeline, s.DisplayFrames)).ToList());
        using var readbackPool = new FramePool();
        using var results = plan.Results is { } resultsPath ? ResultsFile.Create(resultsPath) : null;
        using var target = new OffscreenTarget(context.Gl, plan.Width, plan.Height, ReadbackFormat.Yuv420);
        using var writer = plan.Encode
            ? VideoWriter.Create(plan.Output, plan.Width, plan.Height, PixelFormat.Yuv420, new VideoWriterOptions { Fps = plan.Fps, Clock = RecordingClock.CaptureTime })
            : null;
        var pendingTimestamps = new Queue<long>(4);
        long interval = (long)(Stopwatch.Frequency / plan.Fps);
        long drawn = 0;
        bool interrupted = false;
        streams.Start();
        var clock = Stopwatch.StartNew();
        long started = Stopwatch.GetTimestamp();
        long nextTick = Stopwatch.GetTimestamp();
        double nextStatus = 1;
        while (true)
        {
            if (_interrupts > 0)
            {
                interrupted = true;
                break;
            }
            if ((plan.Seconds is { } s && clock.Elapsed.TotalSeconds >= s) || (plan.Frames is { } f && drawn >= f) || (drawn > 0 && streams.AllEnded))
            {
                break;
            }
            // The canvas is drawn by the wall clock: a slow stream never holds a tile, or the file, back.
            long wait = nextTick - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                Thread.Sleep(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            }
            long now = Stopwatch.GetTimestamp();
            nextTick = Math.Max(nextTick + interval, now - interval); // behind by more than a frame: drop the backlog, not the clock
            tiles.Update();
            if (drawn == 0 && !AnyShown(tiles))
            {
                if (streams.AllEnded || Stopwatch.GetElapsedTime(started) > FirstPictureTimeout)
                {
                    break; // said below, with each stream's reason
                }
                clock.Restart(); // the duration counts from the first picture, as a single stream's does
                continue;
            }
            if (target.Pending == 2)
            {
                Recorder.Collect(target, writer, readbackPool, pendingTimestamps, TimeSpan.FromSeconds(5), plan.Snapshot);
            }
            target.Clear();
            tiles.Draw(overlay, target.Viewport, plan.Overlay, drawn / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
            if (results is not null)
            {
                for (int i = 0; i < tiles.Count; i++)
                {
                    var (frame, result) = tiles.ShownOf(i);
                    var picture = frame ?? result?.Frame;
                    if (picture is null)
                    {
                        continue; // nothing in this tile yet: no line
                    }
                    var (instances, motion) = OverlayRenderer.LiveInstances(picture, result, plan.Overlay);
                    results.Write(drawn, now, picture.Width, picture.Height, instances, result?.Sequence ?? -1, result?.Frame.Timestamp ?? 0, motion, i);
                }
            }
            target.BeginReadback(drawn);
            pendingTimestamps.Enqueue(now);
            drawn++;
            while (target.Pending > 1)
            {
                Recorder.Collect(target, writer, readbackPool, pendingTimestamps, TimeSpan.Zero, plan.Snapshot);
            }
            if (status is not null && clock.Elapsed.TotalSeconds >= nextStatus)
            {
                status($"mosaic {clock.Elapsed.TotalSeconds:0.0}{(plan.Seconds is { } limit ? $"/{limit:0}" : "")} s: {drawn} frames; results per stream {string.Join(" ", streams.Sessions.Select(x => x.Pipeline.Stats.ResultsOut))}");
                nextStatus = clock.Elapsed.TotalSeconds + 1;
            }
        }
        while (target.Pending > 0)
        {
            Recorder.Collect(target, writer, readbackPool, pendingTimestamps, TimeSpan.FromSeconds(5), plan.Snapshot);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        streams.Stop();
        if (drawn == 0)
        {
            streams.ReportFaults();
            throw new CaptureException($"none of the {plan.Sources.Count} streams gave a frame to record within {FirstPictureTimeout.TotalSeconds:0} s");
        }
        if (streams.ReportFaults() != 0)
        {
            Failed = true;
        }
        results?.Finish();
        (string, long)? resultsLine = results is null ? null : (plan.Results!, results.Lines);
        PerStreamResults = streams.Sessions.Select(x => x.Pipeline.Stats.ResultsOut).ToArray();
        return Recorder.Close(writer, _interrupts > 1, plan.Fps, drawn, 0, interrupted, seconds) with { Results = resultsLine }; // the model's results are per stream: PerStreamResults
    }

    /// <summary>True when a stream failed during the recording (said on stderr; the mosaic still has the others).</summary>
    public bool Failed { get; private set; }

    /// <summary>Results each stream's model delivered, stream 0 first.</summary>
    public long[] PerStreamResults { get; private set; } = [];

    private static bool AnyShown(TiledStreams tiles)
    {
        for (int i = 0; i < tiles.Count; i++)
        {
            var (frame, result) = tiles.ShownOf(i);
            if (frame is not null || result is not null)
            {
                return true;
            }
        }
        return false;
    }
}
