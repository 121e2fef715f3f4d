using RealtimeSeg.Capture.Ffmpeg;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture;

/// <summary>
/// A folder of images, or a glob like <c>shots/*.jpg</c>, one frame per file in name order. Each file is decoded
/// by its own FFmpeg run, so images of different sizes each arrive at their own size.
/// </summary>
internal sealed class ImageSequenceSource : IFrameSource
{
    private readonly SourceOptions _options;
    private readonly FfmpegTools _tools;
    private readonly IReadOnlyList<string> _files;
    private FfmpegFrameSource? _current;
    private int _next;
    private volatile bool _interrupted;

    public ImageSequenceSource(SourceSpec spec, SourceOptions? options = null, FfmpegTools? tools = null)
    {
        Spec = spec;
        _options = options ?? SourceOptions.Default;
        _tools = tools ?? FfmpegTools.Default;
        _files = Expand(spec.Target);
    }

    public SourceSpec Spec { get; }

    public IReadOnlyList<string> Files => _files;

    public StreamInfo Info { get; private set; } = new();

    public string? EndReason => null;

    public bool IsLive => false;

    /// <summary>The file the last frame came from.</summary>
    public string? CurrentFile { get; private set; }

    /// <summary>The image files a folder or glob names, sorted; wildcards are allowed in the file name only.</summary>
    public static IReadOnlyList<string> Expand(string pattern)
    {
        string dir, filePattern;
        if (Directory.Exists(pattern))
        {
            (dir, filePattern) = (pattern, "*");
        }
        else
        {
            dir = Path.GetDirectoryName(pattern) is { Length: > 0 } d ? d : ".";
            filePattern = Path.GetFileName(pattern);
            if (dir.IndexOfAny(['*', '?']) >= 0)
            {
                throw new CaptureException($"'{pattern}': wildcards work in the file name only (like photos/*.jpg), not in folder names");
            }
            if (!Directory.Exists(dir))
            {
                throw new CaptureException($"'{pattern}': the folder '{dir}' does not exist");
            }
        }
        var files = Directory.EnumerateFiles(dir, filePattern).Where(SourceSpec.IsImagePath)
            .Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files
            : throw new CaptureException($"'{pattern}' matches no images (looked for .png, .jpg, .jpeg, .bmp, .webp, .tif and similar)");
    }

    public void Open()
    {
        _next = 0;
        Info = StreamProbe.Run(_tools, new SourceSpec(SourceKind.ImageFile, _files[0], _files[0]), _options) with { FrameCount = _files.Count };
    }

    public Frame? Read(FramePool pool)
    {
        if (_next >= _files.Count || _interrupted)
        {
            return null;
        }
        string file = _files[_next++];
        _current?.Dispose();
        _current = new FfmpegFrameSource(new SourceSpec(SourceKind.ImageFile, file, file), _options, _tools);
        _current.Open();
        CurrentFile = file;
        return _current.Read(pool) ?? throw new CaptureException($"'{file}' decoded to no frame ({_current.EndReason ?? "empty"})");
    }

    public void Interrupt()
    {
        _interrupted = true;
        _current?.Interrupt();
    }

    public void Dispose() => _current?.Dispose();
}
