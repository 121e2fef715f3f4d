using System.Globalization;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>
/// The FFmpeg command-line pieces for one source: the input part (shared by ffprobe and ffmpeg) and the
/// decode-to-pipe output part. Frames leave FFmpeg as Y4M planes where the stream is 8-bit 4:2:0 and its size is
/// fixed (<see cref="DecodeFormat"/>), else as PAM images (a tiny header, then RGB rows), whose every frame carries
/// its own size: a stream that changes resolution never desynchronises the reader the way a fixed-size raw pipe
/// would.
/// </summary>
internal static class FfmpegInput
{
    /// <summary>Input options and <c>-i</c> for <paramref name="spec"/>; <paramref name="paced"/> adds <c>-re</c> where it applies.</summary>
    public static List<string> InputArguments(SourceSpec spec, SourceOptions options, bool paced)
    {
        var args = new List<string>();
        switch (spec.Kind)
        {
            case SourceKind.Camera:
                args.AddRange(["-f", Cameras.InputFormat]);
                if (options.InputFormat.Length > 0)
                {
                    args.AddRange([OperatingSystem.IsWindows() ? "-vcodec" : "-input_format", options.InputFormat]);
                }
                if (options.HasSize)
                {
                    args.AddRange(["-video_size", $"{options.Width}x{options.Height}"]);
                }
                if (options.Fps > 0)
                {
                    args.AddRange(["-framerate", options.Fps.ToString(CultureInfo.InvariantCulture)]);
                }
                args.AddRange(["-i", ResolveCamera(spec.Target)]);
                break;
            case SourceKind.Lavfi:
                if (paced)
                {
                    args.Add("-re"); // a generator runs as fast as it can; -re makes it a live-like source
                }
                args.AddRange(["-f", "lavfi", "-i", spec.Target]);
                break;
            case SourceKind.FfmpegArguments:
                args.AddRange(SplitArguments(spec.Target));
                break;
            case SourceKind.VideoFile:
            case SourceKind.ImageFile:
                if (paced && options.Realtime)
                {
                    args.Add("-re");
                }
                args.AddRange(["-i", spec.Target]);
                break;
            case SourceKind.Url:
                args.AddRange(["-i", spec.Target]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "not an FFmpeg source");
        }
        return args;
    }

    /// <summary>
    /// Everything after the input: the first video stream only, optional stride and scale, frames on stdout in
    /// <paramref name="format"/> (Y4M planes or PAM RGB).
    /// </summary>
    public static List<string> DecodeArguments(SourceSpec spec, SourceOptions options, DecodeFormat format)
    {
        var filters = new List<string>();
        if (options.Stride > 1)
        {
            filters.Add($"select=not(mod(n\\,{options.Stride}))");
        }
        if (options.HasSize && spec.Kind != SourceKind.Camera)
        {
            filters.Add($"scale={options.Width}:{options.Height}");
        }
        var args = new List<string> { "-map", "0:v:0", "-an", "-sn", "-dn" };
        if (filters.Count > 0)
        {
            args.AddRange(["-vf", string.Join(',', filters)]);
        }
        // passthrough: every decoded frame once, in order; FFmpeg's default would duplicate or drop to fit a rate.
        args.AddRange(["-fps_mode", "passthrough"]);
        args.AddRange(format.Yuv
            ? ["-f", "yuv4mpegpipe", "-pix_fmt", format.PixFmt, "-"]
            : ["-f", "image2pipe", "-c:v", "pam", "-pix_fmt", "rgb24", "-"]);
        return args;
    }

    /// <summary><c>0</c> → the first camera; a device path or name as given (names are matched on Linux).</summary>
    internal static string ResolveCamera(string target)
    {
        bool isIndex = int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out int index);
        if (OperatingSystem.IsLinux())
        {
            if (isIndex)
            {
                return $"/dev/video{index}";
            }
            if (target.StartsWith('/'))
            {
                return target;
            }
            var cameras = Cameras.List();
            return cameras.FirstOrDefault(c => c.Name.Equals(target, StringComparison.OrdinalIgnoreCase))?.Device
                ?? throw new CaptureException($"no camera is named '{target}'; {Cameras.Describe(cameras)}");
        }
        if (OperatingSystem.IsMacOS())
        {
            return target; // avfoundation takes the index or the name as is
        }
        if (isIndex)
        {
            var cameras = Cameras.List();
            return index < cameras.Count ? cameras[index].Device
                : throw new CaptureException($"camera:{index} does not exist; {Cameras.Describe(cameras)}");
        }
        return target.StartsWith("video=", StringComparison.OrdinalIgnoreCase) ? target : "video=" + target;
    }

    /// <summary>Splits expert arguments on spaces, keeping 'single' or "double" quoted parts together.</summary>
    internal static List<string> SplitArguments(string text)
    {
        var args = new List<string>();
        var current = new System.Text.StringBuilder();
        char quote = '\0';
        bool any = false;
        foreach (char c in text)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (any || current.Length > 0)
                {
                    args.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
            }
        }
        if (quote != '\0')
        {
            throw new CaptureException($"unbalanced quote in FFmpeg arguments: {text}");
        }
        if (any || current.Length > 0)
        {
            args.Add(current.ToString());
        }
        return args;
    }
}
