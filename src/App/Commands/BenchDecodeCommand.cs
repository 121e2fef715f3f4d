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
/// decoding the same file to nothing (<c>ffmpeg -i FILE -f null -</c>), so the cost of the pipe and the reader
/// shows up as a ratio: the default path (a 4:2:0 file decoded in this process, else its planes through the pipe)
/// and the pipe path (<c>--pipe-decode</c>) against the bare decode, and the RGB path (<c>--rgb-decode</c>) against
/// FFmpeg doing the same RGB conversion to nothing. All five alternate, run by run.
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
            var oursPipe = new List<Measurement>();
            var oursRgb = new List<Measurement>();
            var nullDecode = new List<Measurement>();
            var nullRgb = new List<Measurement>();
            string path = "", pipePath = "";
            for (int i = 0; i < runs; i++)
            {
                ours.Add(Measure(() => CaptureAll(spec, SourceOptions.Default, tools, out path)));
                nullDecode.Add(Measure(() => FfmpegToNull(tools, spec.Target, convert: false)));
                oursPipe.Add(Measure(() => CaptureAll(spec, new SourceOptions { DecodeThroughPipe = true }, tools, out pipePath)));
                oursRgb.Add(Measure(() => CaptureAll(spec, new SourceOptions { DecodeToRgb = true }, tools, out _)));
                nullRgb.Add(Measure(() => FfmpegToNull(tools, spec.Target, convert: true)));
            }
            var r = new Results(Median(ours), Median(oursPipe), Median(oursRgb), Median(nullDecode), Median(nullRgb), path, pipePath);
            if (new[] { r.CapturePipe.Frames, r.CaptureRgb.Frames, r.Null.Frames, r.NullRgb.Frames }.Any(n => n != r.Capture.Frames))
            {
                throw new RealtimeSegException($"frame counts disagree: capture {r.Capture.Frames}/{r.CapturePipe.Frames}/{r.CaptureRgb.Frames}, ffmpeg {r.Null.Frames}/{r.NullRgb.Frames}");
            }
            Console.Out.WriteLine(parse.GetValue(json) ? Json(spec, r) : Text(spec, r));
            return 0;
        }));
        return command;
    }

    internal readonly record struct Measurement(long Frames, double Seconds, double CpuSeconds, string Size)
    {
        public double Fps => Frames / Seconds;

        public double CpuMsPerFrame => CpuSeconds * 1000 / Frames;
    }

    private readonly record struct Results(Measurement Capture, Measurement CapturePipe, Measurement CaptureRgb, Measurement Null, Measurement NullRgb,
        string PixelPath, string PipePixelPath);

    private static (long Frames, string Size) CaptureAll(SourceSpec spec, SourceOptions options, FfmpegTools tools, out string pixelPath)
    {
        var source = new FfmpegFrameSource(spec, options, tools);
        using var loop = new CaptureLoop(source, new CaptureOptions { Pacing = Pacing.Lossless });
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
        pixelPath = source.PixelPath;
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

    private static string Text(SourceSpec spec, Results r) => string.Join(Environment.NewLine,
        $"source          {spec} ({r.Capture.Size}, {r.Capture.Frames} frames; {r.PixelPath})",
        $"capture         {r.Capture.Fps,7:0.0} fps   {r.Capture.CpuMsPerFrame,6:0.00} CPU ms/frame   (the default path)",
        $"capture pipe    {r.CapturePipe.Fps,7:0.0} fps   {r.CapturePipe.CpuMsPerFrame,6:0.00} CPU ms/frame   (--pipe-decode: ffmpeg -> {r.PipePixelPath} on the pipe -> pooled frames)",
        $"capture rgb     {r.CaptureRgb.Fps,7:0.0} fps   {r.CaptureRgb.CpuMsPerFrame,6:0.00} CPU ms/frame   (--rgb-decode: ffmpeg converts -> PAM pipe -> pooled frames)",
        $"ffmpeg null     {r.Null.Fps,7:0.0} fps   {r.Null.CpuMsPerFrame,6:0.00} CPU ms/frame   (ffmpeg -i FILE -f null -)",
        $"ffmpeg rgb null {r.NullRgb.Fps,7:0.0} fps   {r.NullRgb.CpuMsPerFrame,6:0.00} CPU ms/frame   (ffmpeg -i FILE -pix_fmt rgb24 -f null -)",
        $"ratio           capture {r.Capture.Fps / r.Null.Fps:0.00}x the fps of ffmpeg -f null, CPU per frame {r.Capture.CpuMsPerFrame / r.Null.CpuMsPerFrame:0.00}x",
        $"                capture pipe {r.CapturePipe.Fps / r.Null.Fps:0.00}x, CPU per frame {r.CapturePipe.CpuMsPerFrame / r.Null.CpuMsPerFrame:0.00}x",
        $"                capture rgb {r.CaptureRgb.Fps / r.Null.Fps:0.00}x ({r.CaptureRgb.Fps / r.NullRgb.Fps:0.00}x with the same RGB conversion), CPU per frame {r.CaptureRgb.CpuMsPerFrame / r.Null.CpuMsPerFrame:0.00}x / {r.CaptureRgb.CpuMsPerFrame / r.NullRgb.CpuMsPerFrame:0.00}x");

    private static string Json(SourceSpec spec, Results r) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["source"] = spec.Text, ["size"] = r.Capture.Size, ["frames"] = r.Capture.Frames, ["pixelPath"] = r.PixelPath, ["pipePixelPath"] = r.PipePixelPath,
            ["capture.fps"] = Math.Round(r.Capture.Fps, 1), ["capture.cpuMsPerFrame"] = Math.Round(r.Capture.CpuMsPerFrame, 3),
            ["capturePipe.fps"] = Math.Round(r.CapturePipe.Fps, 1), ["capturePipe.cpuMsPerFrame"] = Math.Round(r.CapturePipe.CpuMsPerFrame, 3),
            ["captureRgb.fps"] = Math.Round(r.CaptureRgb.Fps, 1), ["captureRgb.cpuMsPerFrame"] = Math.Round(r.CaptureRgb.CpuMsPerFrame, 3),
            ["ffmpegNull.fps"] = Math.Round(r.Null.Fps, 1), ["ffmpegNull.cpuMsPerFrame"] = Math.Round(r.Null.CpuMsPerFrame, 3),
            ["ffmpegRgbNull.fps"] = Math.Round(r.NullRgb.Fps, 1), ["ffmpegRgbNull.cpuMsPerFrame"] = Math.Round(r.NullRgb.CpuMsPerFrame, 3),
            ["ratio.fps"] = Math.Round(r.Capture.Fps / r.Null.Fps, 3), ["ratio.cpu"] = Math.Round(r.Capture.CpuMsPerFrame / r.Null.CpuMsPerFrame, 3),
            ["ratio.pipeFps"] = Math.Round(r.CapturePipe.Fps / r.Null.Fps, 3), ["ratio.pipeCpu"] = Math.Round(r.CapturePipe.CpuMsPerFrame / r.Null.CpuMsPerFrame, 3),
            ["ratio.rgbFps"] = Math.Round(r.CaptureRgb.Fps / r.Null.Fps, 3), ["ratio.rgbCpu"] = Math.Round(r.CaptureRgb.CpuMsPerFrame / r.Null.CpuMsPerFrame, 3),
            ["ratio.rgbFpsSameConversion"] = Math.Round(r.CaptureRgb.Fps / r.NullRgb.Fps, 3),
            ["ratio.rgbCpuSameConversion"] = Math.Round(r.CaptureRgb.CpuMsPerFrame / r.NullRgb.CpuMsPerFrame, 3),
        }, CliJson.Indented);
}
