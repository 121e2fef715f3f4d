using System.Runtime.InteropServices;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>
/// Where the <c>ffmpeg</c> and <c>ffprobe</c> executables are: <c>$REALTIMESEG_FFMPEG</c> (the ffmpeg binary; ffprobe
/// beside it), else the PATH. Missing tools fail with the command that installs them on this OS.
/// </summary>
public sealed class FfmpegTools
{
    private FfmpegTools(string ffmpeg, string ffprobe)
    {
        Ffmpeg = ffmpeg;
        Ffprobe = ffprobe;
    }

    /// <summary>Path of the ffmpeg program.</summary>
    public string Ffmpeg { get; }

    /// <summary>Path of the ffprobe program.</summary>
    public string Ffprobe { get; }

    /// <summary>The command that installs FFmpeg on this OS.</summary>
    public static string InstallHint =>
        OperatingSystem.IsWindows() ? "install it with: winget install Gyan.FFmpeg (or put ffmpeg.exe and ffprobe.exe on PATH)"
        : OperatingSystem.IsMacOS() ? "install it with: brew install ffmpeg"
        : "install it with: sudo apt-get install ffmpeg (Debian/Ubuntu) or your distribution's ffmpeg package";

    private static FfmpegTools? _default;

    /// <summary>The tools found from this process's environment (looked up once).</summary>
    public static FfmpegTools Default => _default ??= Locate(
        Environment.GetEnvironmentVariable("PATH") ?? "", Environment.GetEnvironmentVariable("REALTIMESEG_FFMPEG"));

    /// <summary>Finds the tools on <paramref name="searchPath"/>, or beside <paramref name="ffmpegOverride"/>.</summary>
    public static FfmpegTools Locate(string searchPath, string? ffmpegOverride = null)
    {
        string exe = OperatingSystem.IsWindows() ? ".exe" : "";
        if (!string.IsNullOrEmpty(ffmpegOverride))
        {
            if (!File.Exists(ffmpegOverride))
            {
                throw new CaptureException($"REALTIMESEG_FFMPEG points at '{ffmpegOverride}', which does not exist; fix the path or unset it to use the PATH");
            }
            string probe = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(ffmpegOverride))!, "ffprobe" + exe);
            return File.Exists(probe)
                ? new FfmpegTools(ffmpegOverride, probe)
                : throw new CaptureException($"ffprobe was not found beside '{ffmpegOverride}'; RealtimeSeg needs both ffmpeg and ffprobe");
        }
        string? ffmpeg = Find("ffmpeg" + exe, searchPath);
        string? ffprobe = Find("ffprobe" + exe, searchPath);
        if (ffmpeg is null || ffprobe is null)
        {
            string which = ffmpeg is null && ffprobe is null ? "FFmpeg is not installed (ffmpeg and ffprobe are not on PATH)"
                : ffmpeg is null ? "ffmpeg is not on PATH (ffprobe is)" : "ffprobe is not on PATH (ffmpeg is)";
            throw new CaptureException($"{which}; {InstallHint}, or set REALTIMESEG_FFMPEG to the ffmpeg binary");
        }
        return new FfmpegTools(ffmpeg, ffprobe);
    }

    private static string? Find(string name, string searchPath)
    {
        foreach (string dir in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || IsExecutable(candidate)))
            {
                return candidate;
            }
        }
        return null;
    }

    private static bool IsExecutable(string path) =>
        !RuntimeInformation.IsOSPlatform(OSPlatform.Windows) &&
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
