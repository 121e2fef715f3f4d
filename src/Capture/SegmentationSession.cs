using System.Diagnostics.CodeAnalysis;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.Capture;

/// <summary>
/// The common case in one object: frames from a source (camera, file, stream, the synthetic scene) or from the
/// host, through the inference pipeline, to the newest result.
/// <code>
/// using var model = SegmentationModel.Open("model.onnx");
/// using var session = SegmentationSession.FromSource(model, SourceSpec.Parse("camera:0"));   // or FromHostFrames(model)
/// session.Start();
/// // each display frame, on the render thread:
/// if (session.TryGetLatest(out var result))
///     using (result) overlay.Draw(result, viewport);
/// session.Stop();
/// </code>
/// Live mode (<see cref="DisplayMode.Live"/>: every camera frame drawn, masks moved to where the objects are now)
/// keeps the newest result and takes the newest frame each display frame:
/// <code>
/// if (session.TryGetNewestFrame(out var frame))
///     using (frame) overlay.Draw(frame, latest, viewport);   // latest: the newest result taken so far, or null
/// </code>
/// Thread safety: Start, Stop and Dispose from one thread; TryGetLatest and TryGetNewestFrame from any.
/// </summary>
public sealed class SegmentationSession : IDisposable
{
    private readonly CaptureLoop? _capture;
    private int _disposed;

    // Display frames a live reader may fall behind by before the oldest drop: 8 covers a recorder's start (EGL
    // target and encoder opened on the first frame: ~150 ms, 4-5 frames at 30 fps) with room to spare.
    private const int DisplayDepth = 8;

    private SegmentationSession(CaptureLoop? capture, HostFrameInput? hostFrames, InferencePipeline pipeline, DisplayMode mode)
    {
        _capture = capture;
        HostFrames = hostFrames;
        Pipeline = pipeline;
        Mode = mode;
    }

    /// <summary>
    /// Frames from <paramref name="source"/>. Live sources (cameras, streams, the paced synthetic scene) keep the
    /// newest frame and drop what inference has no time for; <see cref="PipelineOptions.Lossless"/> processes every frame.
    /// <paramref name="mode"/> live also keeps every captured frame for display (<see cref="TryGetNewestFrame"/>).
    /// </summary>
    public static SegmentationSession FromSource(SegmentationModel model, SourceSpec source, SourceOptions? sourceOptions = null, PipelineOptions? options = null,
        DisplayMode mode = DisplayMode.Sync)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        options ??= new PipelineOptions();
        var capture = new CaptureLoop(FrameSources.Create(source, sourceOptions ?? SourceOptions.Default), new CaptureOptions
        {
            Pacing = options.Lossless ? Pacing.Lossless : Pacing.Live,
            DisplayFrames = mode == DisplayMode.Live ? DisplayDepth : 0,
        });
        try
        {
            return new SegmentationSession(capture, null, new InferencePipeline(model, capture.Frames, options), mode);
        }
        catch
        {
            capture.Dispose();
            throw;
        }
    }

    /// <summary>Frames the host publishes through <see cref="HostFrames"/>.</summary>
    public static SegmentationSession FromHostFrames(SegmentationModel model, PipelineOptions? options = null, DisplayMode mode = DisplayMode.Sync)
    {
        ArgumentNullException.ThrowIfNull(model);
        var input = new HostFrameInput(mode == DisplayMode.Live ? DisplayDepth : 0);
        try
        {
            return new SegmentationSession(null, input, new InferencePipeline(model, input, options), mode);
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    /// <summary>Where the host publishes its pixels (<see cref="FromHostFrames"/> sessions); null for a source's.</summary>
    public HostFrameInput? HostFrames { get; }

    /// <summary>Sync (draw results on their own frames) or live (draw every frame, <see cref="TryGetNewestFrame"/>).</summary>
    public DisplayMode Mode { get; }

    /// <summary>
    /// Live mode: every frame captured (or published by the host), oldest first, for a reader that draws each one
    /// (a recorder); null in sync mode.
    /// </summary>
    public FrameTap? DisplayFrames => _capture?.Display ?? HostFrames?.Display;

    /// <summary>
    /// Live mode: a reference to the newest frame not taken yet (older ones released), to draw with the newest
    /// result; dispose it when done. False when none is new, and always in sync mode.
    /// </summary>
    public bool TryGetNewestFrame([NotNullWhen(true)] out Frame? frame)
    {
        frame = null;
        return DisplayFrames?.TryTakeNewest(out frame) == true;
    }

    /// <summary>The pipeline, for its stats, results in order and provider.</summary>
    public InferencePipeline Pipeline { get; }

    /// <summary>The source's capture status (fps, drops, reconnects), or null for host frames.</summary>
    public CaptureStatus? Capture => _capture?.Status;

    /// <summary>Starts capture (for a source) and inference.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _capture?.Start();
        Pipeline.Start();
    }

    /// <summary>Stops inference and capture within about a second; results already taken stay valid.</summary>
    public void Stop()
    {
        Pipeline.Stop();
        _capture?.Stop();
        HostFrames?.Complete();
    }

    /// <summary>A reference to the newest result without waiting; dispose it when done.</summary>
    public bool TryGetLatest([NotNullWhen(true)] out SegmentationResult? result) => Pipeline.TryGetLatest(out result);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a result of frame <paramref name="frameId"/> or a later one (a
    /// host that pushed a frame and wants its instances); false when none came in time, or at once when the session
    /// stopped without one. Rethrows the session's fault; throws <see cref="ObjectDisposedException"/> when the
    /// session is disposed, also while a thread waits here (the waiter is woken, not left to its timeout). Any
    /// thread, concurrently: each waiter re-reads the newest result at every publication.
    /// </summary>
    public bool TryWaitForResult(long frameId, TimeSpan timeout, [NotNullWhen(true)] out SegmentationResult? result)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool ended = false;
        while (true)
        {
            ThrowIfDisposedWhileWaiting(frameId);
            if (Fault is { } fault)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fault);
            }
            if (TryGetLatest(out var latest))
            {
                if (latest.Frame.Id >= frameId)
                {
                    result = latest;
                    return true;
                }
                latest.Dispose();
            }
            var left = timeout - clock.Elapsed;
            // Stopped or disposed (the checks above had their last look): nothing more will come.
            if (ended || left <= TimeSpan.Zero)
            {
                result = null;
                return false;
            }
            // Woken by each publication; short slices, since concurrent waiters share the hand-off and one of them
            // takes each publication.
            var outcome = Pipeline.Results.Wait(left < WaitSlice ? left : WaitSlice, out var published);
            if (outcome == WaitOutcome.Item)
            {
                published!.Dispose();
            }
            ended = outcome == WaitOutcome.Ended;
        }
    }

    private void ThrowIfDisposedWhileWaiting(long frameId)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(SegmentationSession), $"the session was disposed while waiting for the result of frame {frameId}");
        }
    }

    private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(5);

    /// <summary>Why the session stopped by itself (a source that failed, a model error), or null.</summary>
    public Exception? Fault => Pipeline.Fault;

    /// <summary>Stops and releases the pipeline and the capture; a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Pipeline.Dispose();
        _capture?.Dispose();
        HostFrames?.Dispose();
    }
}
