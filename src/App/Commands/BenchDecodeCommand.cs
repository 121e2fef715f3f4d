using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Ffmpeg;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// <c>realtimeseg bench-decode</c>: how fast the capture path decodes a file into frames, side by side with FFmpeg
/// decoding the same file to nothing (<c>ffmpeg -i FILE -f null -</c>), and with FFmpeg doing the same RGB
/// conversion to nothing, so the cost of the pipe and the reader shows up as a ratio.
/// </summary>
internal static class BenchDecodeCommand
{
    public static Command Create()
    {
        var source = new Option<string>("--source", "-s") { Description = "A video file to decode", Required = true };
        var repeat = new Option<int>("--repeat") { Description = "Runs of each measurement (alternated; the median is reported)", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var command = new Command("bench-decode", "Measure capture decode throughput (frames/s, CPU ms/frame) against ffmpeg -f null on the same file, as ratios");
        command.Options.Add(source);
        command.Options.Add(repeat);
        command.Options.Add(json);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var spec = SourceSpec.Parse(parse.GetValue(source)!);
            if (spec.Kind != SourceKind.VideoFile)
            {
                throw new RealtimeSegException($"bench-decode takes a video file; '{spec}' is a {spec.Kind}");
            }
            int runs = Math.Max(1, parse.GetValue(repeat));
            var tools = FfmpegTools.Default;
            var ours = new List<Measurement>();
            var nullDecode = new List<Measurement>();
            var nullRgb = new List<Measurement>();
            for (int i = 0; i < runs; i++)
            {
                ours.Add(Measure(() => CaptureAll(spec, tools)));
                nullDecode.Add(Measure(() => FfmpegToNull(tools, spec.Target, convert: false)));
                nullRgb.Add(Measure(() => FfmpegToNull(tools, spec.Target, convert: true)));
            }
            var a = Median(ours);
            var b = Median(nullDecode);
            var c = Median(nullRgb);
            if (a.Frames != b.Frames || a.Frames != c.Frames)
            {
                throw new RealtimeSegException($"frame counts disagree: capture {a.Frames}, ffmpeg {b.Frames}/{c.Frames}");
            }
            Console.Out.WriteLine(parse.GetValue(json) ? Json(spec, a, b, c) : Text(spec, a, b, c));
            return 0;
        }));
        return command;
    }

    internal readonly record struct Measurement(long Frames, double Seconds, double CpuSeconds, string Size)
    {
        public double Fps => Frames / Seconds;

        public double CpuMsPerFrame => CpuSeconds * 1000 / Frames;
    }

    private static (long Frames, string Size) CaptureAll(SourceSpec spec, FfmpegTools tools)
    {
        using var loop = new CaptureLoop(new FfmpegFrameSource(spec, SourceOptions.Default, tools), new CaptureOptions { Pacing = Pacing.Lossless });
        loop.Start();
        long frames = 0;
        string size = "";
        while (true)
        {
            var wait = loop.Frames.Wait(TimeSpan.FromSeconds(30), out var frame);
            if (wait == WaitOutcome.Ended)
            {
                break;
            }
            if (wait == WaitOutcome.Timeout)
            {
                throw new RealtimeSegException("decoding stalled for 30 s");
            }
            if (frames++ == 0)
            {
                size = $"{frame!.Width}x{frame.Height}";
            }
            frame!.Dispose();
        }
        return (frames, size);
    }

    private static (long Frames, string Size) FfmpegToNull(FfmpegTools tools, string path, bool convert)
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough" };
        if (convert)
        {
            args.AddRange(["-pix_fmt", "rgb24"]);
        }
        args.AddRange(["-f", "null", "-"]);
        var psi = new ProcessStartInfo(tools.Ffmpeg) { RedirectStandardError = true, UseShellExecute = false };
        args.ForEach(psi.ArgumentList.Add);
        using var p = Process.Start(psi)!;
        string log = p.StandardError.ReadToEnd();
        p.WaitForExit();
        // The last progress line says how many frames went through: "frame=  300 fps=..."
        int at = log.LastIndexOf("frame=", StringComparison.Ordinal);
        long frames = at >= 0 && long.TryParse(log.AsSpan(at + 6).TrimStart().ToString().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : 0;
        return (frames, "");
    }

    private static Measurement Measure(Func<(long Frames, string Size)> work)
    {
        var cpu0 = CpuSeconds();
        var clock = Stopwatch.StartNew();
        var (frames, size) = work();
        double seconds = clock.Elapsed.TotalSeconds;
        return new Measurement(frames, seconds, CpuSeconds() - cpu0, size);
    }

    /// <summary>This process's CPU plus its reaped children's (ffmpeg, ffprobe): Linux /proc; elsewhere this process only.</summary>
    private static double CpuSeconds()
    {
        double own = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        if (!OperatingSystem.IsLinux())
        {
            return own;
        }
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command name: field 3 is state, so cutime and cstime (fields 16, 17) are at 13 and 14 here.
        double children = (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
        return own + children;
    }

    private static Measurement Median(List<Measurement> runs) => runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2);

    private static string Text(SourceSpec spec, Measurement a, Measurement b, Measurement c) => string.Join(Environment.NewLine,
        $"source          {spec} ({a.Size}, {a.Frames} frames)",
        $"capture         {a.Fps,7:0.0} fps   {a.CpuMsPerFrame,6:0.00} CPU ms/frame   (ffmpeg -> PAM pipe -> pooled frames)",
        $"ffmpeg null     {b.Fps,7:0.0} fps   {b.CpuMsPerFrame,6:0.00} CPU ms/frame   (ffmpeg -i FILE -f null -)",
        $"ffmpeg rgb null {c.Fps,7:0.0} fps   {c.CpuMsPerFrame,6:0.00} CPU ms/frame   (ffmpeg -i FILE -pix_fmt rgb24 -f null -)",
        $"ratio           {a.Fps / b.Fps:0.00}x the fps of ffmpeg -f null, {a.Fps / c.Fps:0.00}x with the same RGB conversion; CPU per frame {a.CpuMsPerFrame / b.CpuMsPerFrame:0.00}x / {a.CpuMsPerFrame / c.CpuMsPerFrame:0.00}x");

    private static string Json(SourceSpec spec, Measurement a, Measurement b, Measurement c) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["source"] = spec.Text, ["size"] = a.Size, ["frames"] = a.Frames,
            ["capture.fps"] = Math.Round(a.Fps, 1), ["capture.cpuMsPerFrame"] = Math.Round(a.CpuMsPerFrame, 3),
            ["ffmpegNull.fps"] = Math.Round(b.Fps, 1), ["ffmpegNull.cpuMsPerFrame"] = Math.Round(b.CpuMsPerFrame, 3),
            ["ffmpegRgbNull.fps"] = Math.Round(c.Fps, 1), ["ffmpegRgbNull.cpuMsPerFrame"] = Math.Round(c.CpuMsPerFrame, 3),
            ["ratio.fps"] = Math.Round(a.Fps / b.Fps, 3), ["ratio.fpsSameConversion"] = Math.Round(a.Fps / c.Fps, 3),
            ["ratio.cpu"] = Math.Round(a.CpuMsPerFrame / b.CpuMsPerFrame, 3), ["ratio.cpuSameConversion"] = Math.Round(a.CpuMsPerFrame / c.CpuMsPerFrame, 3),
        }, CliJson.Indented);
}
