using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using RealtimeSeg.Capture.Ffmpeg;

namespace RealtimeSeg.Tests.Capture;

/// <summary>
/// Video files written by the real FFmpeg for the capture tests (once per test run), and FFmpeg's own decode of
/// them as the reference each delivered frame must equal.
/// </summary>
internal static class TestClips
{
    public const int Width = 320, Height = 240, Frames = 50;
    private static readonly Lazy<string> Folder = new(Make);

    public static string Mp4 => Path.Combine(Folder.Value, "clip.mp4");

    public static string Mkv => Path.Combine(Folder.Value, "clip.mkv");

    /// <summary>The Matroska clip cut at 45%: frames up to the cut decode, then the file just ends.</summary>
    public static string TruncatedMkv => Path.Combine(Folder.Value, "truncated.mkv");

    /// <summary>An MP4 cut before its index (moov atom at the end): unreadable as a whole.</summary>
    public static string TruncatedMp4 => Path.Combine(Folder.Value, "truncated.mp4");

    public static FfmpegTools Tools => FfmpegTools.Default;

    private static string Make()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"realtimeseg-clips-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        foreach (string name in new[] { "clip.mp4", "clip.mkv" })
        {
            Ffmpeg("-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={Width}x{Height}:rate=25", "-frames:v", $"{Frames}",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10", Path.Combine(dir, name));
        }
        Truncate(Path.Combine(dir, "clip.mkv"), Path.Combine(dir, "truncated.mkv"), 0.45);
        Truncate(Path.Combine(dir, "clip.mp4"), Path.Combine(dir, "truncated.mp4"), 0.3);
        return dir;
    }

    private static void Truncate(string from, string to, double fraction)
    {
        byte[] all = File.ReadAllBytes(from);
        File.WriteAllBytes(to, all.AsSpan(0, (int)(all.Length * fraction)).ToArray());
    }

    /// <summary>
    /// SHA-256 of each frame FFmpeg decodes from <paramref name="path"/> as <paramref name="pixFmt"/>: the clips'
    /// own yuv420p planes (what the capture delivers from them), or packed rgb24 (the RGB path).
    /// </summary>
    public static List<string> ReferenceFrameHashes(string path, int width = Width, int height = Height, string pixFmt = "yuv420p")
    {
        var psi = new ProcessStartInfo(Tools.Ffmpeg) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", pixFmt, "-" })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        _ = p.StandardError.ReadToEndAsync();
        var hashes = new List<string>();
        var buffer = new byte[pixFmt == "yuv420p" ? width * height * 3 / 2 : width * height * 3];
        var output = p.StandardOutput.BaseStream;
        while (output.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length)
        {
            hashes.Add(Convert.ToHexString(SHA256.HashData(buffer)));
        }
        p.WaitForExit();
        return hashes;
    }

    /// <summary>FFmpeg's own decode of the first frame of <paramref name="path"/> as <paramref name="pixFmt"/> (<paramref name="bytes"/> long).</summary>
    public static byte[] DecodeFirstFrame(string path, string pixFmt, int bytes)
    {
        var frame = Decode(path, pixFmt, "-frames:v", "1");
        Assert.True(frame.Length == bytes, $"ffmpeg gave {frame.Length} of {bytes} bytes of {path} as {pixFmt}");
        return frame;
    }

    /// <summary>FFmpeg's own decode of <paramref name="path"/>'s first video stream as raw <paramref name="pixFmt"/> frames, end to end.</summary>
    public static byte[] Decode(string path, string pixFmt, params string[] outputOptions)
    {
        var psi = new ProcessStartInfo(Tools.Ffmpeg) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-v", "error", "-i", path, "-map", "0:v:0" }.Concat(outputOptions).Concat(["-f", "rawvideo", "-pix_fmt", pixFmt, "-"]))
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEndAsync();
        using var all = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(all);
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"ffmpeg could not decode {path} as {pixFmt}: {error.Result}");
        return all.ToArray();
    }

    public static string Hash(RealtimeSeg.Runtime.Imaging.Frame frame) => Convert.ToHexString(SHA256.HashData(frame.Pixels));

    public static void Ffmpeg(params string[] args)
    {
        var psi = new ProcessStartInfo(Tools.Ffmpeg) { RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"ffmpeg {string.Join(' ', args)} failed: {err}");
    }

    /// <summary>Starts an FFmpeg that serves a lavfi stream as MPEG-TS to one TCP client, and waits until it listens.</summary>
    public static Process ServeTcp(int port, int width, int height, double seconds)
    {
        var psi = new ProcessStartInfo(Tools.Ffmpeg) { RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string a in new[] { "-v", "error", "-re", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=25", "-t", $"{seconds}",
                     "-c:v", "mpeg2video", "-q:v", "5", "-f", "mpegts", $"tcp://127.0.0.1:{port}?listen=1" })
        {
            psi.ArgumentList.Add(a);
        }
        var server = Process.Start(psi)!;
        _ = server.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Any(e => e.Port == port))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10) && !server.HasExited, "the FFmpeg test server did not start listening");
            Thread.Sleep(20);
        }
        return server;
    }

    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
