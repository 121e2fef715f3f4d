namespace RealtimeSeg.Capture;

/// <summary>What a <c>--source</c> string names.</summary>
public enum SourceKind
{
    /// <summary><c>camera:0</c>, <c>camera:/dev/video2</c> or <c>camera:NAME</c>.</summary>
    Camera,
    /// <summary>A video file (anything FFmpeg demuxes that is not a still image).</summary>
    VideoFile,
    /// <summary>One still image.</summary>
    ImageFile,
    /// <summary>A folder of images, or a glob such as <c>shots/*.png</c>; each file is one frame.</summary>
    ImageSequence,
    /// <summary>A network stream: rtsp, rtmp, http(s), udp, tcp, srt.</summary>
    Url,
    /// <summary><c>lavfi:testsrc2=size=640x480:rate=30</c>: an FFmpeg filter source, paced like a camera.</summary>
    Lavfi,
    /// <summary><c>ffmpeg:-f v4l2 -input_format mjpeg -i /dev/video0</c>: input arguments for experts.</summary>
    FfmpegArguments,
    /// <summary><c>synthetic</c> or <c>synthetic:SEED</c>: the project's own animated shapes scene.</summary>
    Synthetic,
}

/// <summary>A parsed <c>--source</c>: its kind and the part after the prefix.</summary>
public sealed record SourceSpec(SourceKind Kind, string Target, string Text)
{
    /// <summary>The accepted source texts, for --help and error messages.</summary>
    public const string Help =
        "camera:0 | camera:/dev/video2 | camera:NAME | FILE.mp4 | IMAGE.png | FOLDER | 'GLOB/*.jpg' | rtsp://… http://… udp://… tcp://… | lavfi:testsrc2=size=640x480:rate=30 | ffmpeg:ARGS | synthetic[:SEED]";

    private static readonly string[] UrlSchemes = ["rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "udp", "tcp", "srt", "rtp", "mms"];

    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm", ".pnm", ".pam", ".tga", ".exr",
    };

    /// <summary>True when frames arrive at the source's own rate whether or not anyone reads them.</summary>
    public bool IsLive => Kind is SourceKind.Camera or SourceKind.Url or SourceKind.Lavfi;

    /// <summary>Sources that may drop and come back: a camera unplugged, a stream that stalls.</summary>
    public bool CanReconnect => Kind is SourceKind.Camera or SourceKind.Url;

    /// <summary>Whether a path names a still image by its extension.</summary>
    public static bool IsImagePath(string path) => ImageExtensions.Contains(Path.GetExtension(path));

    /// <summary>Reads a source text (camera:0, /dev/video0, a file, a folder or glob, a URL, lavfi:…, synthetic[:SEED]).</summary>
    public static SourceSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Length == 0)
        {
            throw new CaptureException($"the source is empty; give one of: {Help}");
        }
        if (TryPrefix(t, "camera:", out string camera))
        {
            return camera.Length == 0
                ? throw new CaptureException("camera: needs a device: camera:0 (the first camera), camera:/dev/video2, or the camera's name")
                : new SourceSpec(SourceKind.Camera, camera, text);
        }
        if (TryPrefix(t, "lavfi:", out string graph))
        {
            return new SourceSpec(SourceKind.Lavfi, graph, text);
        }
        if (TryPrefix(t, "ffmpeg:", out string arguments))
        {
            return arguments.Contains("-i", StringComparison.Ordinal)
                ? new SourceSpec(SourceKind.FfmpegArguments, arguments, text)
                : throw new CaptureException($"'{text}': ffmpeg: takes FFmpeg input arguments ending in -i INPUT, e.g. ffmpeg:-f v4l2 -input_format mjpeg -i /dev/video0");
        }
        if (t.Equals("synthetic", StringComparison.OrdinalIgnoreCase) || TryPrefix(t, "synthetic:", out _))
        {
            return new SourceSpec(SourceKind.Synthetic, t.Length > "synthetic:".Length ? t["synthetic:".Length..] : "", text);
        }
        int scheme = t.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            string name = t[..scheme].ToLowerInvariant();
            if (name == "file")
            {
                return Parse(t[(scheme + 3)..]);
            }
            return UrlSchemes.Contains(name)
                ? new SourceSpec(SourceKind.Url, t, text)
                : throw new CaptureException($"'{text}': unknown stream scheme '{name}://'; RealtimeSeg reads {string.Join(", ", UrlSchemes.Select(s => s + "://"))} (or pass FFmpeg arguments with ffmpeg:)");
        }
        if (t.IndexOfAny(['*', '?']) >= 0 || Directory.Exists(t))
        {
            return new SourceSpec(SourceKind.ImageSequence, t, text);
        }
        return new SourceSpec(IsImagePath(t) ? SourceKind.ImageFile : SourceKind.VideoFile, t, text);
    }

    private static bool TryPrefix(string text, string prefix, out string rest)
    {
        bool match = text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
        rest = match ? text[prefix.Length..].Trim() : "";
        return match;
    }

    /// <summary>The source text as the user gave it.</summary>
    public override string ToString() => Text;
}
