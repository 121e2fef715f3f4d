using System.Diagnostics;
using RealtimeSeg.Capture.Ffmpeg;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture.Recording;

/// <summary>How frame times map to the file's timeline.</summary>
public enum RecordingClock
{
    /// <summary>Every frame once at a fixed fps (offline processing: same count and fps as the input).</summary>
    EveryFrame,
    /// <summary>
    /// Frames placed by their capture times on a constant-rate timeline (repeated or skipped as needed), so a
    /// 60 s recording plays for 60 s whatever the camera claims or the model's speed.
    /// </summary>
    CaptureTime,
}

/// <summary>Recording settings.</summary>
public sealed record VideoWriterOptions
{
    /// <summary>Output frame rate.</summary>
    public double Fps { get; init; } = 30;

    /// <summary>How frames are placed in time: every frame once, or by capture time on a constant-rate timeline.</summary>
    public RecordingClock Clock { get; init; } = RecordingClock.EveryFrame;

    /// <summary>x264 speed/size trade-off; veryfast keeps encoding well under the pipeline's cost on 2 cores.</summary>
    public string Preset { get; init; } = "ultrafast";

    /// <summary>x264 quality (lower is better, 18-28 is sensible).</summary>
    public int Crf { get; init; } = 23;

    /// <summary>Frames buffered between the caller and the encoder before <see cref="VideoWriter.Write"/> waits.</summary>
    public int QueueCapacity { get; init; } = 8;
}

/// <summary>
/// Encodes frames to a video file through FFmpeg: raw frames on its stdin, H.264 (yuv420p, so browsers and
/// QuickTime play it) in fragmented MP4 (a killed process still leaves a playable file) or Matroska/WebM by
/// extension. A writer thread feeds FFmpeg from a bounded queue, so the caller is paced by the encoder only
/// when it falls behind. The encoder is checked before anything is written: without libx264 the fallback
/// (MPEG-4 part 2) is announced in <see cref="Warning"/>, never silent.
/// </summary>
public sealed class VideoWriter : IDisposable
{
    private static readonly string[] Supported = [".mp4", ".mov", ".mkv", ".webm"];
    private readonly FfmpegProcess _process;
    private readonly FrameQueue _queue;
    private readonly Thread _thread;
    private readonly VideoWriterOptions _options;
    private readonly int _width, _height;
    private readonly PixelFormat _format;
    private long _firstTimestamp = -1;
    private long _written, _repeated, _skipped;
    private volatile Exception? _fault;
    private int _finished;

    private VideoWriter(string path, int width, int height, PixelFormat format, VideoWriterOptions options, FfmpegTools tools, string codec, string? warning)
    {
        (Path, _width, _height, _format, _options, Codec, Warning) = (path, width, height, format, options, codec, warning);
        var args = new List<string>
        {
            "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", format switch { PixelFormat.Bgra32 => "bgra", PixelFormat.Rgba32 => "rgba", PixelFormat.Bgr24 => "bgr24", PixelFormat.Yuv420 => "yuv420p", PixelFormat.Gray8 => "gray", _ => "rgb24" },
            "-s", $"{width}x{height}", "-framerate", options.Fps.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "-",
            "-an", "-c:v", codec,
        };
        if (codec == "libx264")
        {
            args.AddRange(["-preset", options.Preset, "-crf", options.Crf.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        else
        {
            args.AddRange(["-q:v", "4"]);
        }
        if (format != PixelFormat.Yuv420)
        {
            // yuv420p needs even sizes: an odd frame gets one black column or row (every source pixel is kept;
            // Create says so in Warning).
            args.AddRange(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-pix_fmt", "yuv420p"]);
        }
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".mp4" or ".mov")
        {
            // Fragmented: every keyframe closes a fragment, so a killed recorder loses at most the last second.
            args.AddRange(["-g", $"{Math.Max(1, (int)Math.Round(options.Fps))}", "-movflags", "+frag_keyframe+empty_moov+default_base_moof"]);
        }
        args.Add(path);
        _process = new FfmpegProcess(tools.Ffmpeg, args, stdin: true);
        PipeBuffer.TryGrow(_process.Input);
        _queue = new FrameQueue(options.QueueCapacity);
        _thread = new Thread(Feed) { IsBackground = true, Name = "RealtimeSeg video writer" };
        _thread.Start();
    }

    /// <summary>The file being written.</summary>
    public string Path { get; }

    /// <summary>The encoder in use: libx264, or the announced fallback.</summary>
    public string Codec { get; }

    /// <summary>Set when the preferred encoder was missing and a fallback is used; say it to the user.</summary>
    public string? Warning { get; }

    /// <summary>Frames handed to the encoder (repeats included).</summary>
    public long FramesWritten => Interlocked.Read(ref _written);

    /// <summary>Frames repeated (capture-time clock: the source was slower than the file's rate).</summary>
    public long FramesRepeated => Interlocked.Read(ref _repeated);

    /// <summary>Frames skipped (capture-time clock: two frames fell on one tick).</summary>
    public long FramesSkipped => Interlocked.Read(ref _skipped);

    /// <summary>Length of what was written so far, at the file's frame rate.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds(FramesWritten / _options.Fps);

    /// <summary>
    /// Checks the output path and the encoder, then starts FFmpeg. <paramref name="format"/>
    /// <see cref="PixelFormat.Yuv420"/> means frames already converted to planar YUV 4:2:0: FFmpeg then encodes
    /// without converting. Nothing is created when a check fails:
    /// a missing or unwritable folder and an unsupported extension are errors naming the fix.
    /// </summary>
    public static VideoWriter Create(string path, int width, int height, PixelFormat format, VideoWriterOptions? options = null, FfmpegTools? tools = null)
    {
        CheckOutputPath(path);
        if (format == PixelFormat.Yuv420 && (width % 2 != 0 || height % 2 != 0))
        {
            throw new ArgumentException($"YUV 4:2:0 frames need an even size, got {width}x{height}", nameof(format));
        }
        tools ??= FfmpegTools.Default;
        options ??= new VideoWriterOptions();
        if (options.Fps is <= 0 or > 1000 || double.IsNaN(options.Fps))
        {
            throw new CaptureException($"recording fps {options.Fps} is out of range; use a rate such as 30");
        }
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        var (codec, warning) = ChooseEncoder(tools, extension);
        if (width % 2 != 0 || height % 2 != 0)
        {
            string padded = $"{width}x{height} frames are recorded as {width + width % 2}x{height + height % 2} (H.264's 4:2:0 needs even sides): " +
                $"{(width % 2 != 0 ? "one black column" : "")}{(width % 2 != 0 && height % 2 != 0 ? " and " : "")}{(height % 2 != 0 ? "one black row" : "")} added, every source pixel kept";
            warning = warning is null ? padded : $"{warning}; {padded}";
        }
        return new VideoWriter(path, width, height, format, options, tools, codec, warning);
    }

    /// <summary>The reasons a path cannot be recorded to, checked before anything is created.</summary>
    public static void CheckOutputPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CaptureException("the output file name is empty; give one like out.mp4");
        }
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (!Supported.Contains(extension))
        {
            throw new CaptureException($"'{path}': recordings are {string.Join(", ", Supported)} (H.264 in MP4/MOV/MKV, VP9-free WebM is not supported by the fallback); choose one of those extensions");
        }
        if (extension == ".webm")
        {
            throw new CaptureException($"'{path}': WebM needs VP8/VP9, which RealtimeSeg does not encode; use .mp4 or .mkv");
        }
        string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (!Directory.Exists(dir))
        {
            throw new CaptureException($"the folder '{dir}' does not exist; create it or choose another path");
        }
        if (Directory.Exists(path))
        {
            throw new CaptureException($"'{path}' is a folder; give a file name like {System.IO.Path.Combine(path, "out.mp4")}");
        }
        try
        {
            Runtime.OutputFolder.ProbeWritable(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaptureException($"cannot write to '{dir}' ({e.Message}); choose a folder you can write to");
        }
    }

    private static (string Codec, string? Warning) ChooseEncoder(FfmpegTools tools, string extension)
    {
        using var probe = new FfmpegProcess(tools.Ffmpeg, ["-hide_banner", "-encoders"]);
        string list = new StreamReader(probe.Output).ReadToEnd();
        probe.WaitForExit(TimeSpan.FromSeconds(10));
        if (list.Contains(" libx264 ", StringComparison.Ordinal))
        {
            return ("libx264", null);
        }
        if (list.Contains(" mpeg4 ", StringComparison.Ordinal))
        {
            return ("mpeg4", $"this FFmpeg has no H.264 encoder (libx264); recording MPEG-4 part 2 in {extension} instead, which browsers may not play. Install an FFmpeg built with libx264 for H.264.");
        }
        throw new CaptureException("this FFmpeg has neither libx264 nor mpeg4 encoders; install a full FFmpeg build (e.g. apt-get install ffmpeg)");
    }

    /// <summary>
    /// Queues a frame for encoding (the writer takes the reference: the caller must not dispose it).
    /// With the capture-time clock, the frame lands on the tick of its capture time.
    /// </summary>
    public void Write(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_fault is { } fault)
        {
            frame.Dispose();
            throw new CaptureException($"the encoder failed: {fault.Message}", fault);
        }
        if (frame.Width != _width || frame.Height != _height || frame.Format != _format)
        {
            frame.Dispose();
            throw new ArgumentException($"the recording takes {_width}x{_height} {_format} frames; got a {frame.Width}x{frame.Height} {frame.Format} frame");
        }
        _queue.Add(frame);
    }

    private void Feed()
    {
        var input = _process.Input;
        try
        {
            while (_queue.Wait(TimeSpan.FromMilliseconds(200), out var frame) != WaitOutcome.Ended)
            {
                if (frame is null)
                {
                    continue;
                }
                using (frame)
                {
                    long copies = 1;
                    if (_options.Clock == RecordingClock.CaptureTime)
                    {
                        if (_firstTimestamp < 0)
                        {
                            _firstTimestamp = frame.Timestamp;
                        }
                        // The tick this frame belongs to: write it until the timeline reaches the next tick.
                        long tick = (long)Math.Round(Stopwatch.GetElapsedTime(_firstTimestamp, frame.Timestamp).TotalSeconds * _options.Fps);
                        copies = tick + 1 - _written;
                        if (copies <= 0)
                        {
                            Interlocked.Increment(ref _skipped);
                            continue;
                        }
                        Interlocked.Add(ref _repeated, copies - 1);
                    }
                    for (long c = 0; c < copies; c++)
                    {
                        if (frame.Format == PixelFormat.Yuv420)
                        {
                            input.Write(frame.Pixels); // three planes, packed as yuv420p
                        }
                        else
                        {
                            for (int y = 0; y < frame.Height; y++)
                            {
                                input.Write(frame.Row(y));
                            }
                        }
                        Interlocked.Increment(ref _written);
                    }
                }
            }
            input.Flush();
        }
        catch (IOException e)
        {
            _fault = new CaptureException($"FFmpeg stopped taking frames ({_process.StderrTail})", e);
            _queue.Close();
        }
    }

    /// <summary>Encodes what is queued, closes FFmpeg's input and waits for it to finish the file.</summary>
    public void Finish(TimeSpan? timeout = null)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }
        _queue.Complete();
        _thread.Join();
        try
        {
            _process.Input.Close();
        }
        catch (IOException)
        {
        }
        if (!_process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            _process.Kill();
            throw new CaptureException($"FFmpeg did not finish '{Path}' in time; the file may be incomplete");
        }
        if (_fault is not null || _process.ExitCode != 0)
        {
            throw new CaptureException($"FFmpeg failed writing '{Path}': {_process.StderrTail}");
        }
    }

    /// <summary>Stops now (a second Ctrl+C): queued frames are dropped and FFmpeg killed; fragmented MP4 stays playable.</summary>
    public void Abort()
    {
        Interlocked.Exchange(ref _finished, 1);
        _queue.Close();
        _process.Kill();
        _thread.Join(TimeSpan.FromSeconds(1));
    }

    /// <summary>Finishes the file (as <see cref="Finish"/>) if that was not done.</summary>
    public void Dispose()
    {
        try
        {
            Finish();
        }
        catch (CaptureException)
        {
            // Dispose must not throw; callers that care call Finish and see the error.
        }
        _process.Dispose();
    }
}
