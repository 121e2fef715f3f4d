using System.Diagnostics;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>
/// Frames from one FFmpeg process: camera, video file, still image, network stream, lavfi generator or expert
/// arguments. <see cref="Open"/> describes the source with ffprobe, then starts ffmpeg decoding to Y4M planes or
/// PAM RGB (<see cref="DecodeFormat"/>) on its stdout, or, for a 4:2:0 file that needs nothing but decoding,
/// decodes it in this process (<see cref="LibavDecoder"/>); <see cref="Read"/> fills pooled frames from that pipe and stamps each with its arrival time. A live
/// source silent for <see cref="SourceOptions.StallTimeout"/> is cut (the process killed) so the capture loop
/// can reconnect instead of hanging.
/// </summary>
internal sealed class FfmpegFrameSource : IFrameSource
{
    private readonly FfmpegTools _tools;
    private readonly SourceOptions _options;
    private FfmpegProcess? _process;
    private IPipeReader? _reader;
    private LibavDecoder? _decoder;
    private Timer? _watchdog;
    private long _lastFrameTicks;
    private long _delivered;
    private volatile bool _stalled;
    private readonly CancellationTokenSource _interrupt = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    public FfmpegFrameSource(SourceSpec spec, SourceOptions? options = null, FfmpegTools? tools = null)
    {
        if (spec.Kind is SourceKind.ImageSequence or SourceKind.Synthetic)
        {
            throw new ArgumentException($"{spec.Kind} sources are not one FFmpeg process", nameof(spec));
        }
        Spec = spec;
        _options = options ?? SourceOptions.Default;
        if (_options.Stride < 1)
        {
            throw new CaptureException($"--stride must be 1 or more, got {_options.Stride}");
        }
        _tools = tools ?? FfmpegTools.Default;
    }

    public SourceSpec Spec { get; }

    public StreamInfo Info { get; private set; } = new();

    public bool IsLive => Spec.IsLive || _options.Realtime;

    /// <summary>
    /// Cameras and streams are opened once, by the decoding ffmpeg (many serve one client), and described by its
    /// log line and first frame; everything else is described by ffprobe first.
    /// </summary>
    private bool OpensOnce => Spec.Kind is SourceKind.Camera or SourceKind.Url;

    public string? EndReason { get; private set; }

    /// <summary>What the pipe carries since the last Open: "yuv420p planes (Bt709)" or "rgb24" (for logs and benchmarks).</summary>
    public string PixelPath { get; private set; } = "";

    /// <summary>The ffmpeg command line of the current process (for logs and bug reports).</summary>
    public string? CommandLine => _process?.CommandLine;

    public void Open()
    {
        CloseProcess();
        if (Spec.Kind is SourceKind.VideoFile or SourceKind.ImageFile && !File.Exists(Spec.Target))
        {
            throw new CaptureException(Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(Spec.Target)))
                ? $"'{Spec.Target}' does not exist; check the file name"
                : $"'{Spec.Target}' does not exist (nor does its folder); check the path");
        }
        // A reopened stream keeps its last description until its first new frame says otherwise.
        Info = OpensOnce ? Info with { IsLive = true } : StreamProbe.Run(_tools, Spec, _options, _interrupt.Token);
        // Info level: the decoder's "Stream #0:0: Video: …" line is how a camera or stream gets described.
        var args = new List<string> { "-hide_banner", "-nostdin", "-nostats", "-loglevel", OpensOnce ? "info" : "error" };
        args.AddRange(FfmpegInput.InputArguments(Spec, _options, paced: true));
        var format = DecodeFormat.Choose(Spec, _options, Info);
        args.AddRange(FfmpegInput.DecodeArguments(Spec, _options, format));
        EndReason = null;
        _stalled = false;
        _delivered = 0;
        if (LibavDecoder.CanDecode(Spec, _options, format))
        {
            // A file needing nothing but decoding skips the process and its pipe; one that the libraries cannot
            // open (or another pixel format inside) falls through to the pipe, which reports any real problem.
            lock (_gate)
            {
                _decoder = _interrupt.IsCancellationRequested ? null : LibavDecoder.TryOpen(Spec.Target, format, _options.Stride);
            }
            if (_decoder is not null)
            {
                _reader = _decoder;
                PixelPath = $"{format.PixFmt} planes ({format.Matrix}), decoded in process by {Libav.CodecVersion}";
                return;
            }
        }
        lock (_gate)
        {
            // Interrupt is final: a stop that landed while ffprobe ran must not be followed by a new ffmpeg.
            if (_interrupt.IsCancellationRequested)
            {
                throw new CaptureException($"'{Spec}': stopped while opening");
            }
            _process = new FfmpegProcess(_tools.Ffmpeg, args);
        }
        PipeBuffer.TryGrow(_process.Output);
        _reader = format.Yuv ? new Y4mReader(_process.Output, format.Matrix) : new PamReader(_process.Output);
        PixelPath = format.Yuv ? $"{format.PixFmt} planes ({format.Matrix})" : "rgb24";
        Volatile.Write(ref _lastFrameTicks, Stopwatch.GetTimestamp());
        if (Spec.IsLive)
        {
            var period = _options.StallTimeout / 4;
            _watchdog = new Timer(_ => CutIfStalled(), null, period, period);
        }
    }

    public Frame? Read(FramePool pool)
    {
        var reader = _reader ?? throw new InvalidOperationException("Open the source before reading");
        var frame = reader.Read(pool);
        if (_decoder is { } decoder)
        {
            if (frame is not null)
            {
                frame.Timestamp = Stopwatch.GetTimestamp();
                _delivered++;
            }
            else
            {
                EndReason = decoder.EndReason ?? EndedShort(Info, decoder.Decoded);
            }
            return frame;
        }
        if (frame is not null)
        {
            long now = Stopwatch.GetTimestamp();
            frame.Timestamp = now;
            Volatile.Write(ref _lastFrameTicks, now);
            if (_delivered++ == 0 && OpensOnce)
            {
                Info = StreamProbe.FromDecoderLog(_process!.InputVideoStream, frame.Width, frame.Height, live: true);
            }
            return frame;
        }
        var process = _process!;
        process.WaitForExit(TimeSpan.FromSeconds(2));
        string stderr = process.StderrTail;
        if (OpensOnce && _delivered == 0 && !process.WasKilled)
        {
            throw StreamProbe.Failure(Spec, stderr); // never opened: a wrong address or a missing camera
        }
        if (_stalled && _delivered == 0)
        {
            throw new CaptureException($"'{Spec}' sent no frame within {_options.StallTimeout.TotalSeconds:0.#} s of opening; check that the camera or stream is really sending video");
        }
        if (_stalled)
        {
            EndReason = $"no frame for {_options.StallTimeout.TotalSeconds:0.#} s: the source stalled";
        }
        else if (process.WasKilled)
        {
            EndReason = "stopped";
        }
        else if (process.ExitCode is not 0 and not null)
        {
            if (_delivered == 0)
            {
                throw StreamProbe.Failure(Spec, stderr);
            }
            EndReason = $"FFmpeg stopped after {_delivered} frames: {(stderr.Length > 0 ? stderr : $"exit code {process.ExitCode}")}";
        }
        else if (reader.EndedMidFrame)
        {
            EndReason = "the stream ended inside a frame";
        }
        else if (stderr.Length > 0)
        {
            EndReason = $"the source ended with FFmpeg reporting: {stderr}";
        }
        return null;
    }

    /// <summary>Stops the source for good: an Open in progress fails, a Read in progress returns null.</summary>
    public void Interrupt()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _interrupt.Cancel();
                _process?.Kill();
                _decoder?.Interrupt();
            }
        }
    }

    /// <summary>
    /// A file that ends well before its stated duration was cut short (a copy interrupted, a recording that lost
    /// power). FFmpeg's demuxers only log that (matroska: "File ended prematurely") and return a normal end, so the
    /// in-process decoder compares the frames it got with what the duration and rate promise. A tenth is allowed
    /// for variable-rate files and durations that count the last frame's length.
    /// </summary>
    internal static string? EndedShort(StreamInfo info, long decoded)
    {
        if (info.Duration is not { } duration || info.Fps <= 0 || duration <= TimeSpan.Zero)
        {
            return null;
        }
        double expected = duration.TotalSeconds * info.Fps;
        return decoded < 0.9 * expected - 1
            ? $"the file ended after {decoded} of about {expected:0} frames ({decoded / info.Fps:0.0#} s of {duration.TotalSeconds:0.0#} s): it looks cut short"
            : null;
    }

    private void CutIfStalled()
    {
        long silent = Stopwatch.GetTimestamp() - Volatile.Read(ref _lastFrameTicks);
        if (silent > _options.StallTimeout.TotalSeconds * Stopwatch.Frequency)
        {
            _stalled = true;
            _process?.Kill();
        }
    }

    private void CloseProcess()
    {
        _watchdog?.Dispose();
        _watchdog = null;
        _process?.Dispose();
        _process = null;
        _decoder?.Dispose();
        _decoder = null;
        _reader = null;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _interrupt.Cancel();
            CloseProcess();
        }
        _interrupt.Dispose();
    }
}
