using System.Globalization;
using System.Text.RegularExpressions;
using RealtimeSeg.Capture.Ffmpeg;

namespace RealtimeSeg.Capture;

/// <summary>A camera FFmpeg can open: the device FFmpeg is given, and the name a person recognises.</summary>
public sealed record CameraDevice(string Device, string Name)
{
    /// <summary>The camera as source text and name, for listings.</summary>
    public override string ToString() => Name == Device ? Device : $"{Device} ({Name})";
}

/// <summary>
/// Camera discovery per OS, so "camera not found" can say which cameras do exist: video4linux nodes on Linux,
/// FFmpeg's own device listing for DirectShow (Windows) and AVFoundation (macOS).
/// </summary>
public static partial class Cameras
{
    /// <summary>The FFmpeg input format for cameras on this OS.</summary>
    public static string InputFormat => OperatingSystem.IsWindows() ? "dshow" : OperatingSystem.IsMacOS() ? "avfoundation" : "v4l2";

    /// <summary>The cameras this machine has (v4l2 nodes on Linux; FFmpeg's DirectShow or AVFoundation listing elsewhere).</summary>
    public static IReadOnlyList<CameraDevice> List(FfmpegTools? tools = null) =>
        OperatingSystem.IsLinux() ? ListVideo4Linux("/sys/class/video4linux", "/dev") : ListThroughFfmpeg(tools ?? FfmpegTools.Default);

    /// <summary>One line for error messages: the cameras that exist, or that none do.</summary>
    public static string Describe(IReadOnlyList<CameraDevice> cameras) => cameras.Count == 0
        ? "no cameras were found on this machine (is one plugged in, and can this user open it?)"
        : "cameras here: " + string.Join(", ", cameras.Select((c, i) => $"camera:{i} = {c}"));

    internal static IReadOnlyList<CameraDevice> ListVideo4Linux(string sysClass, string devDir)
    {
        if (!Directory.Exists(sysClass))
        {
            return [];
        }
        return Directory.GetDirectories(sysClass, "video*")
            .Select(d => (Node: Path.GetFileName(d), NameFile: Path.Combine(d, "name")))
            .Where(n => int.TryParse(n.Node.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .OrderBy(n => int.Parse(n.Node.AsSpan(5), CultureInfo.InvariantCulture))
            .Select(n => new CameraDevice(Path.Combine(devDir, n.Node), File.Exists(n.NameFile) ? File.ReadAllText(n.NameFile).Trim() : n.Node))
            .ToList();
    }

    private static IReadOnlyList<CameraDevice> ListThroughFfmpeg(FfmpegTools tools)
    {
        string[] args = OperatingSystem.IsWindows()
            ? ["-hide_banner", "-list_devices", "true", "-f", "dshow", "-i", "dummy"]
            : ["-hide_banner", "-list_devices", "true", "-f", "avfoundation", "-i", ""];
        using var process = new FfmpegProcess(tools.Ffmpeg, args);
        process.WaitForExit(TimeSpan.FromSeconds(10));
        return OperatingSystem.IsWindows() ? ParseDirectShowList(process.StderrLines) : ParseAvFoundationList(process.StderrLines);
    }

    /// <summary>DirectShow listing lines: <c>[dshow @ 0x..] "HD Webcam" (video)</c>.</summary>
    internal static IReadOnlyList<CameraDevice> ParseDirectShowList(IEnumerable<string> lines) =>
        lines.Select(l => DirectShowLine().Match(l)).Where(m => m.Success)
            .Select(m => new CameraDevice("video=" + m.Groups[1].Value, m.Groups[1].Value)).ToList();

    /// <summary>AVFoundation listing: video devices come first, as <c>[AVFoundation indev @ 0x..] [0] FaceTime HD Camera</c>.</summary>
    internal static IReadOnlyList<CameraDevice> ParseAvFoundationList(IEnumerable<string> lines)
    {
        var cameras = new List<CameraDevice>();
        bool video = false;
        foreach (string line in lines)
        {
            if (line.Contains("video devices:", StringComparison.OrdinalIgnoreCase))
            {
                video = true;
            }
            else if (line.Contains("audio devices:", StringComparison.OrdinalIgnoreCase))
            {
                video = false;
            }
            else if (video && AvFoundationLine().Match(line) is { Success: true } m)
            {
                cameras.Add(new CameraDevice(m.Groups[1].Value, m.Groups[2].Value.Trim()));
            }
        }
        return cameras;
    }

    [GeneratedRegex("\"([^\"]+)\"\\s+\\(video\\)")]
    private static partial Regex DirectShowLine();

    [GeneratedRegex(@"\]\s*\[(\d+)\]\s*(.+)$")]
    private static partial Regex AvFoundationLine();
}
