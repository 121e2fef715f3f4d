using System.Diagnostics;
using RealtimeSeg.App.Commands;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Capture.Recording;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.App.Recording;

/// <summary>What a recording run is asked to do.</summary>
internal sealed record RecordPlan(
    SourceSpec Source,
    SourceOptions SourceOptions,
    string Output,
    bool Lossless,
    double? Seconds,
    long? Frames,
    double? Fps,
    OverlayOptions Overlay,
    SegmentOptions Segment,
    bool Encode = true,
    string? Snapshot = null,
    double? MaxInferenceFps = null,
    DisplayMode Mode = DisplayMode.Sync,
    string? Results = null,
    int? Stream = null);

/// <summary>What a recording run did.</summary>
internal sealed record RecordSummary(string Output, long FramesWritten, TimeSpan Duration, double FileFps, long ResultsDrawn,
    double EndToEndFps, long Dropped, string Codec, string? Warning, long Bytes, bool Interrupted, double Seconds)
{
    /// <summary>Live mode: results the model delivered while the frames were drawn; -1 in sync mode (one per frame).</summary>
    public long ModelResults { get; init; } = -1;

    /// <summary>The --results file and its line count, when asked for.</summary>
    public (string Path, long Lines)? Results { get; init; }
}

/// <summary>
/// Capture → pipeline → overlay drawn offscreen (EGL) → asynchronous readback → <see cref="VideoWriter"/>.
/// The render thread (this one) owns the GL context; the writer encodes on its own thread. Files are recorded
/// losslessly (every input frame once, at the input's rate); live sources by capture time for a duration.
/// Sync mode draws each result once, on its own frame; live mode draws every captured frame with the newest
/// result moved to that frame's time, so the file has the source's frames, not the model's.
/// </summary>
internal sealed class Recorder
{
    private volatile int _interrupts;

    /// <summary>First Ctrl+C: finish the file cleanly. Second: abort fast (fragmented MP4 stays playable).</summary>
    public void Interrupt() => Interlocked.Increment(ref _interrupts);

    public RecordSummary Run(SegmentationModel model, RecordPlan plan, Action<string>? status = null)
    {
        var options = plan.SourceOptions;
        if (plan.Source.Kind == SourceKind.Synthetic && plan.Lossless)
        {
            options = options with { Unpaced = true };
        }
        bool live = plan.Mode == DisplayMode.Live;
        using var session = SegmentationSession.FromSource(model, plan.Source, options,
            new PipelineOptions { Lossless = plan.Lossless, Segment = plan.Segment, MaxInferenceFps = plan.MaxInferenceFps }, plan.Mode);
        var pipeline = session.Pipeline;
        using var context = new EglContext();
        using var overlay = new OverlayRenderer(context.Gl);
        using var readbackPool = new FramePool();
        using var results = plan.Results is { } resultsPath ? ResultsFile.Create(resultsPath) : null;
        OffscreenTarget? target = null;
        VideoWriter? writer = null;
        using var picker = new LiveResultPicker(pipeline); // live: the result each frame is drawn with
        var clock = new Stopwatch();
        long drawn = 0;
        bool interrupted = false;
        var pendingTimestamps = new Queue<long>(4);
        var hud = new HudInfo(0, 0, 0, pipeline.ProviderName, 0);
        double nextHud = 0;
        session.Start();
        try
        {
            double nextStatus = 1;
            while (true)
            {
                if (_interrupts > 0)
                {
                    interrupted = true;
                    break;
                }
                if ((plan.Seconds is { } s && clock.IsRunning && clock.Elapsed.TotalSeconds >= s) || (plan.Frames is { } f && drawn >= f))
                {
                    break;
                }
                // Sync: the next result, on its own frame. Live: the next captured frame, with the newest result.
                Frame? frame;
                SegmentationResult? result;
                WaitOutcome wait;
                if (live)
                {
                    wait = session.DisplayFrames!.Wait(TimeSpan.FromMilliseconds(100), out frame);
                    if (frame is not null)
                    {
                        picker.Advance(frame.Timestamp);
                    }
                    if (pipeline.Fault is { } fault)
                    {
                        frame?.Dispose();
                        throw fault;
                    }
                    result = picker.Current;
                }
                else
                {
                    wait = pipeline.Results.Wait(TimeSpan.FromMilliseconds(100), out result);
                    frame = result?.Frame.Retain();
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
                    if (target is null)
                    {
                        clock.Start();
                        (target, writer) = Open(context, plan, frame, session.Capture!.Value.Info);
                    }
                    if (target.Pending == 2)
                    {
                        Collect(target, writer, readbackPool, pendingTimestamps, TimeSpan.FromSeconds(5), plan.Snapshot);
                    }
                    if (plan.Overlay.Hud && clock.Elapsed.TotalSeconds >= nextHud)
                    {
                        // Stats sort their windows: refreshed once a second, not per frame.
                        var stats = pipeline.Stats;
                        hud = hud with { RenderFps = drawn / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), InferenceFps = stats.FpsOut, LatencyMs = stats.LatencyP50Ms, Dropped = stats.Dropped };
                        nextHud = clock.Elapsed.TotalSeconds + 1;
                    }
                    target.Bind();
                    var frameHud = hud with { ResultAgeMs = result is null ? -1 : Stopwatch.GetElapsedTime(result.Frame.Timestamp).TotalMilliseconds };
                    // Sync passes the result's own frame, so nothing moves; live, its newer frame.
                    overlay.Draw(frame, result, target.Viewport, plan.Overlay, frameHud);
                    var (drawnInstances, motion) = OverlayRenderer.LiveInstances(frame, result, plan.Overlay);
                    results?.Write(drawn, frame.Timestamp, frame.Width, frame.Height, drawnInstances, result?.Sequence ?? -1, result?.Frame.Timestamp ?? 0, motion, plan.Stream);
                    target.BeginReadback(frame.Id);
                    pendingTimestamps.Enqueue(frame.Timestamp);
                    drawn++;
                }
                if (!live)
                {
                    result!.Dispose();
                }
                // Collect the previous frame's readback if the GPU has finished it: never wait here.
                while (target.Pending > 1)
                {
                    Collect(target, writer, readbackPool, pendingTimestamps, TimeSpan.Zero, plan.Snapshot);
                }
                if (status is not null && clock.Elapsed.TotalSeconds >= nextStatus)
                {
                    status(Status(session.Capture!.Value, live ? session.DisplayFrames!.Dropped : session.Capture!.Value.Dropped, drawn, clock.Elapsed.TotalSeconds, plan));
                    nextStatus = clock.Elapsed.TotalSeconds + 1;
                }
            }
            while (target is not null && target.Pending > 0)
            {
                Collect(target, writer, readbackPool, pendingTimestamps, TimeSpan.FromSeconds(5), plan.Snapshot);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            session.Stop();
            if (target is null)
            {
                throw new CaptureException($"'{plan.Source}' gave no frames to record{(session.Capture!.Value.Message is { } m ? $" ({m})" : "")}");
            }
            results?.Finish();
            long modelResults = live ? pipeline.Stats.ResultsOut : -1;
            long dropped = live ? session.DisplayFrames!.Dropped : session.Capture!.Value.Dropped;
            (string, long)? resultsLine = results is null ? null : (plan.Results!, results.Lines);
            return Close(writer, _interrupts > 1, FileFps(plan, session.Capture!.Value.Info), drawn, dropped, interrupted, seconds) with { ModelResults = modelResults, Results = resultsLine };
        }
        finally
        {
            target?.Dispose();
            writer?.Dispose();
        }
    }

    /// <summary>
    /// Finishes the file (or, after a second Ctrl+C, <paramref name="abort"/>s it: still playable up to its last
    /// fragment) and says what was recorded; without a writer (--no-encode) everything but the encoder ran.
    /// </summary>
    internal static RecordSummary Close(VideoWriter? writer, bool abort, double fileFps, long drawn, long dropped, bool interrupted, double seconds)
    {
        double endToEnd = drawn / Math.Max(seconds, 1e-9);
        if (writer is null)
        {
            return new RecordSummary("(not encoded)", 0, TimeSpan.Zero, fileFps, drawn, endToEnd, dropped, "none", null, 0, interrupted, seconds);
        }
        if (abort)
        {
            writer.Abort();
        }
        else
        {
            writer.Finish();
        }
        long bytes = File.Exists(writer.Path) ? new FileInfo(writer.Path).Length : 0;
        return new RecordSummary(writer.Path, writer.FramesWritten, writer.Duration, fileFps, drawn, endToEnd, dropped, writer.Codec, writer.Warning, bytes, interrupted, seconds);
    }

    private static double FileFps(RecordPlan plan, StreamInfo info) =>
        plan.Fps is > 0 and var fps ? fps : info.Fps > 0 ? info.Fps : 30;

    private static (OffscreenTarget, VideoWriter?) Open(EglContext context, RecordPlan plan, Frame first, StreamInfo info)
    {
        // Even sizes convert to YUV 4:2:0 on the GPU: 1.5 bytes a pixel through readback and pipe, and FFmpeg
        // encodes without converting (bench/record.sh measures the difference).
        bool yuv = first.Width % 2 == 0 && first.Height % 2 == 0 && Environment.GetEnvironmentVariable("REALTIMESEG_RECORD_BGRA") != "1";
        var target = new OffscreenTarget(context.Gl, first.Width, first.Height, yuv ? ReadbackFormat.Yuv420 : ReadbackFormat.Bgra);
        if (!plan.Encode)
        {
            return (target, null);
        }
        try
        {
            var writer = VideoWriter.Create(plan.Output, first.Width, first.Height, yuv ? PixelFormat.Yuv420 : PixelFormat.Bgra32, new VideoWriterOptions
            {
                Fps = FileFps(plan, info),
                Clock = plan.Lossless ? RecordingClock.EveryFrame : RecordingClock.CaptureTime,
            });
            return (target, writer);
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }

    internal static void Collect(OffscreenTarget target, VideoWriter? writer, FramePool pool, Queue<long> timestamps, TimeSpan wait, string? snapshot)
    {
        var (w, h, format) = target.ReadbackFrame;
        var frame = pool.Rent(w, h, format);
        long id = target.TryCompleteReadback(frame, wait);
        if (id < 0)
        {
            frame.Dispose();
            if (wait > TimeSpan.Zero)
            {
                throw new CaptureException("the GPU did not finish a frame within 5 s");
            }
            return;
        }
        frame.Id = id;
        frame.Timestamp = timestamps.Dequeue();
        if (snapshot is not null && target.Pending == 0)
        {
            // The last frame drawn, as a picture (README images, bug reports); read as BGRA whatever the recording uses.
            using var picture = Frame.Allocate(target.Width, target.Height, PixelFormat.Bgra32);
            target.ReadPixels(picture);
            Png.WriteAtomically(snapshot, picture);
        }
        if (writer is null)
        {
            frame.Dispose();
            return;
        }
        writer.Write(frame);
    }

    private static string Status(CaptureStatus s, long dropped, long drawn, double seconds, RecordPlan plan)
    {
        long? count = plan.Frames ?? s.Info.FrameCount;
        if (plan.Lossless && count is > 0 and var n)
        {
            double rate = drawn / Math.Max(seconds, 1e-9);
            return $"recording {drawn}/{n} frames ({100.0 * drawn / n:0}%), {rate:0.0} fps, ETA {(n - drawn) / Math.Max(rate, 1e-9):0} s";
        }
        string total = plan.Seconds is { } limit ? $"/{limit:0}" : "";
        return $"recording {seconds:0.0}{total} s: {drawn} frames, {drawn / Math.Max(seconds, 1e-9):0.0} fps, {dropped} dropped{(s.State == CaptureState.Reconnecting ? $", {s.Message}" : "")}";
    }

    public static string Describe(RecordSummary s) =>
        $"recorded {s.FramesWritten} frames ({s.Duration.TotalSeconds:0.0} s at {s.FileFps:0.##} fps, {s.Codec}) to {s.Output} ({s.Bytes / 1024.0 / 1024.0:0.0} MB)\n" +
        $"processed {s.ResultsDrawn} frames in {s.Seconds:0.0} s: {s.EndToEndFps:0.0} fps end to end, {s.Dropped} dropped {(s.ModelResults >= 0 ? "before drawing" : "by the live source")}{(s.Interrupted ? "; stopped by Ctrl+C" : "")}" +
        (s.ModelResults >= 0 ? $"\nlive: each frame drawn with the newest of the model's {s.ModelResults} results, masks moved to the frame's time" : "") +
        (s.Results is { } r ? $"\nwrote {r.Lines} lines of results to {r.Path}" : "") +
        (s.Warning is null ? "" : $"\nwarning: {s.Warning}");
}
