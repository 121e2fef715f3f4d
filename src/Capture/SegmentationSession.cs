using System.Diagnostics.CodeAnalysis;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Runtime.Frames;
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
/// Thread safety: Start, Stop and Dispose from one thread; TryGetLatest from any.
/// </summary>
public sealed class SegmentationSession : IDisposable
{
    private readonly CaptureLoop? _capture;
    private int _disposed;

    private SegmentationSession(CaptureLoop? capture, HostFrameInput? hostFrames, InferencePipeline pipeline)
    {
        _capture = capture;
        HostFrames = hostFrames;
        Pipeline = pipeline;
    }

    /// <summary>
    /// Frames from <paramref name="source"/>. Live sources (cameras, streams, the paced synthetic scene) keep the
    /// newest frame and drop what inference has no time for; <see cref="PipelineOptions.Lossless"/> processes every frame.
    /// </summary>
    public static SegmentationSession FromSource(SegmentationModel model, SourceSpec source, SourceOptions? sourceOptions = null, PipelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        options ??= new PipelineOptions();
        var capture = new CaptureLoop(FrameSources.Create(source, sourceOptions ?? SourceOptions.Default),
            new CaptureOptions { Pacing = options.Lossless ? Pacing.Lossless : Pacing.Live });
        try
        {
            return new SegmentationSession(capture, null, new InferencePipeline(model, capture.Frames, options));
        }
        catch
        {
            capture.Dispose();
            throw;
        }
    }

    /// <summary>Frames the host publishes through <see cref="HostFrames"/>.</summary>
    public static SegmentationSession FromHostFrames(SegmentationModel model, PipelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var input = new HostFrameInput();
        try
        {
            return new SegmentationSession(null, input, new InferencePipeline(model, input, options));
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    /// <summary>Where the host publishes its pixels (<see cref="FromHostFrames"/> sessions); null for a source's.</summary>
    public HostFrameInput? HostFrames { get; }

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
