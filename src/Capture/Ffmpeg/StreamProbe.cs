using System.Globalization;
using System.Text.Json;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>Describes a source with <c>ffprobe</c> before decoding starts: size, nominal fps, frame count.</summary>
internal static partial class StreamProbe
{
    public static StreamInfo Run(FfmpegTools tools, SourceSpec spec, SourceOptions options, CancellationToken cancel = default)
    {
        var args = new List<string> { "-v", "error", "-select_streams", "v:0",
            "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,codec_name,pix_fmt,color_space,color_range,duration:format=duration",
            "-of", "json" };
        args.AddRange(FfmpegInput.InputArguments(spec, options, paced: false));
        using var process = new FfmpegProcess(tools.Ffprobe, args);
        string json;
        using (var reader = new StreamReader(process.Output))
        {
            var read = reader.ReadToEndAsync(CancellationToken.None);
            bool done;
            try
            {
                done = read.Wait(options.ProbeTimeout, cancel);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw new CaptureException($"'{spec}': stopped while opening");
            }
            if (!done)
            {
                process.Kill();
                throw new CaptureException($"'{spec}' did not answer within {options.ProbeTimeout.TotalSeconds:0} s (ffprobe); check that the address is reachable and the stream is running");
            }
            json = read.Result;
        }
        process.WaitForExit(TimeSpan.FromSeconds(5));
        if (process.ExitCode is not 0)
        {
            throw Failure(spec, process.StderrTail);
        }
        return Parse(json, spec, options) ?? throw new CaptureException($"'{spec}' has no video stream (ffprobe found none); give a video, image, camera or stream");
    }

    internal static StreamInfo? Parse(string json, SourceSpec spec, SourceOptions options)
    {
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
        {
            return null;
        }
        var s = streams[0];
        double fps = Rate(s, "avg_frame_rate") is > 0 and var avg ? avg : Rate(s, "r_frame_rate");
        if (fps > 1000)
        {
            fps = 0; // container time bases masquerading as rates (90000, 1200000): unknown
        }
        double? seconds = Number(s, "duration") ?? (doc.RootElement.TryGetProperty("format", out var f) ? Number(f, "duration") : null);
        long? frames = s.TryGetProperty("nb_frames", out var nb) && long.TryParse(nb.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 ? n : null;
        bool estimated = false;
        if (frames is null && seconds is > 0 && fps > 0)
        {
            // Matroska, WebM and streams copied into MP4 often omit the count; duration x rate is exact for
            // constant-rate video and close otherwise, which is what progress bars need.
            frames = (long)Math.Round(seconds.Value * fps);
            estimated = true;
        }
        if (spec.Kind == SourceKind.ImageFile)
        {
            (frames, seconds, fps, estimated) = (1, null, 0, false);
        }
        if (frames is { } total && options.Stride > 1)
        {
            frames = (total + options.Stride - 1) / options.Stride;
        }
        bool scaled = options.HasSize && spec.Kind != SourceKind.Camera;
        return new StreamInfo
        {
            Width = scaled ? options.Width : s.TryGetProperty("width", out var w) ? w.GetInt32() : 0,
            Height = scaled ? options.Height : s.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
            Fps = options.Stride > 1 ? fps / options.Stride : fps,
            FrameCount = spec.IsLive ? null : frames,
            FrameCountIsEstimate = estimated,
            Duration = spec.IsLive || seconds is null ? null : TimeSpan.FromSeconds(seconds.Value),
            Codec = s.TryGetProperty("codec_name", out var c) ? c.GetString() ?? "" : "",
            PixelFormat = s.TryGetProperty("pix_fmt", out var pf) ? pf.GetString() ?? "" : "",
            ColorSpace = s.TryGetProperty("color_space", out var cs) ? cs.GetString() ?? "" : "",
            ColorRange = s.TryGetProperty("color_range", out var cr) ? cr.GetString() ?? "" : "",
            IsLive = spec.IsLive || options.Realtime,
        };
    }

    /// <summary>
    /// Stream info for a camera or network stream, from the decoding ffmpeg's own log line and the first frame:
    /// such sources are opened once, not probed first, because most webcams and many RTSP cameras serve one
    /// client at a time, and a camera's negotiated mode is what the decoding process got, not what a probe got.
    /// </summary>
    internal static StreamInfo FromDecoderLog(string? streamLine, int width, int height, bool live)
    {
        double fps = 0;
        string codec = "";
        if (streamLine is not null)
        {
            var m = DecoderStreamLine().Match(streamLine);
            if (m.Success)
            {
                codec = m.Groups["codec"].Value;
            }
            var rate = DecoderRate().Match(streamLine);
            if (rate.Success && double.TryParse(rate.Groups["fps"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && f is > 0 and < 1000)
            {
                fps = f;
            }
        }
        return new StreamInfo { Width = width, Height = height, Fps = fps, Codec = codec, IsLive = live };
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Video:\s*(?<codec>[A-Za-z0-9_]+)")]
    private static partial System.Text.RegularExpressions.Regex DecoderStreamLine();

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<fps>[0-9]+(\.[0-9]+)?) (fps|tbr)")]
    private static partial System.Text.RegularExpressions.Regex DecoderRate();

    /// <summary>An ffprobe/ffmpeg failure in the user's terms, with FFmpeg's own last words.</summary>
    internal static CaptureException Failure(SourceSpec spec, string stderr)
    {
        string detail = stderr.Length > 0 ? $" (FFmpeg: {stderr})" : "";
        switch (spec.Kind)
        {
            case SourceKind.VideoFile or SourceKind.ImageFile when !File.Exists(spec.Target):
                return new CaptureException($"'{spec.Target}' does not exist; check the path (a camera is camera:0, a stream a URL)");
            case SourceKind.VideoFile or SourceKind.ImageFile when new FileInfo(spec.Target).Length == 0:
                return new CaptureException($"'{spec.Target}' is empty (0 bytes): it holds no video; check the copy or the recording that made it");
            case SourceKind.VideoFile or SourceKind.ImageFile:
                return new CaptureException($"'{spec.Target}' cannot be read as video or image: it may be truncated, encrypted or not a media file{detail}");
            case SourceKind.Camera:
                string problem = stderr.Contains("busy", StringComparison.OrdinalIgnoreCase) ? "is busy (another program has it open)"
                    : stderr.Contains("No such file", StringComparison.OrdinalIgnoreCase) || stderr.Contains("not found", StringComparison.OrdinalIgnoreCase) ? "does not exist"
                    : stderr.Contains("Permission denied", StringComparison.OrdinalIgnoreCase) ? "cannot be opened by this user (add it to the 'video' group)"
                    : "could not be opened";
                return new CaptureException($"camera '{spec.Target}' {problem}; {Cameras.Describe(Cameras.List())}{detail}");
            case SourceKind.Url:
                return new CaptureException($"stream '{spec.Target}' could not be opened: check the address, the network and that the stream is running{detail}");
            default:
                return new CaptureException($"FFmpeg could not open '{spec}'{detail}");
        }
    }

    private static double Rate(JsonElement s, string name)
    {
        if (!s.TryGetProperty(name, out var r) || r.GetString() is not { } text)
        {
            return 0;
        }
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : 0;
        }
        return double.TryParse(text.AsSpan(0, slash), NumberStyles.Float, CultureInfo.InvariantCulture, out double num) &&
               double.TryParse(text.AsSpan(slash + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double den) && den > 0
            ? num / den : 0;
    }

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String &&
        double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : null;
}
