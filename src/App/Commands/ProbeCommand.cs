using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Runtime.Frames;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// <c>realtimeseg probe</c>: what a source really delivers. Prints what ffprobe says, then runs the capture loop
/// and reports measured fps, drops, reconnects and the frame size that actually arrived (cameras often differ
/// from what was asked).
/// </summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var source = new SourceArguments();
        var frames = new Option<int>("--frames", "-n") { Description = "Stop after N frames (0 = no limit)", DefaultValueFactory = _ => 0 };
        var seconds = new Option<double>("--seconds") { Description = "Stop after this many seconds (default: 5 for live sources, no limit for files)" };
        var cameras = new Option<bool>("--cameras") { Description = "List the cameras on this machine and exit" };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var command = new Command("probe", "Show what a camera, file, folder or stream delivers: ffprobe's description, then frames actually captured (size, measured fps, drops, reconnects). Several --source are probed at once, as they would run together");
        source.Source.Required = false;
        source.AddTo(command);
        command.Options.Add(frames);
        command.Options.Add(seconds);
        command.Options.Add(cameras);
        command.Options.Add(json);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            if (parse.GetValue(cameras))
            {
                var list = Cameras.List();
                Console.Out.WriteLine(list.Count == 0 ? Cameras.Describe(list) : string.Join(Environment.NewLine, list.Select((c, i) => $"camera:{i}  {c}")));
                return 0;
            }
            if (!source.Given(parse))
            {
                throw new Runtime.RealtimeSegException("give --source (e.g. --source camera:0 or --source video.mp4), or --cameras to list cameras");
            }
            var specs = source.Specs(parse);
            var options = source.Options(parse);
            int maxFrames = parse.GetValue(frames);
            // Several sources are probed at once: cameras sharing a USB bus or a NIC show here what they give together.
            int failed = 0;
            var probes = specs.Select((spec, index) => new Probe(index, spec, options, maxFrames,
                parse.GetValue(seconds) is > 0 and var s ? s : spec.IsLive || options.Realtime ? 5 : double.PositiveInfinity)).ToList();
            var threads = probes.Select(p => new Thread(p.Run) { IsBackground = true, Name = $"probe {p.Spec}" }).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            if (probes.Count == 1 && probes[0].Error is { } only)
            {
                throw only;
            }
            probes.RemoveAll(p =>
            {
                if (p.Error is { } e)
                {
                    // One stream that cannot open leaves the others' reports; the exit code still says it failed.
                    Console.Error.WriteLine($"error: stream {p.Index} ({p.Spec}): {CliWording.ForCommandLine(e.Message)}");
                    failed++;
                    return true;
                }
                return false;
            });
            if (parse.GetValue(json))
            {
                var docs = probes.Select(p => p.Json(options)).ToList();
                Console.Out.WriteLine(JsonSerializer.Serialize(docs.Count == 1 ? (object)docs[0] : docs, CliJson.Indented));
            }
            else
            {
                Console.Out.WriteLine(string.Join(Environment.NewLine + Environment.NewLine,
                    probes.Select(p => (specs.Count > 1 ? $"[stream {p.Index}]{Environment.NewLine}" : "") + p.Text(options))));
            }
            return failed == 0 ? 0 : CommandRunner.UserError;
        }));
        return command;
    }

    /// <summary>One source's capture loop run for its frames or seconds, and what it measured.</summary>
    private sealed class Probe(int index, SourceSpec spec, SourceOptions options, int maxFrames, double maxSeconds)
    {
        private CaptureStatus _status;
        private int _seen, _width, _height;
        private double _elapsed;
        private Pacing _pacing;

        public int Index => index;

        public SourceSpec Spec => spec;

        /// <summary>Why the source could not be probed, if it could not.</summary>
        public Exception? Error { get; private set; }

        public void Run()
        {
            try
            {
                Measure();
            }
            catch (Exception e) when (e is Runtime.RealtimeSegException or IOException)
            {
                Error = e;
            }
        }

        private void Measure()
        {
            using var loop = new CaptureLoop(FrameSources.Create(spec, options));
            var clock = Stopwatch.StartNew();
            loop.Start();
            while ((maxFrames == 0 || _seen < maxFrames) && clock.Elapsed.TotalSeconds < maxSeconds)
            {
                var wait = loop.Frames.Wait(TimeSpan.FromMilliseconds(200), out var frame);
                if (wait == WaitOutcome.Ended)
                {
                    break;
                }
                if (frame is not null)
                {
                    if (_seen++ == 0)
                    {
                        (_width, _height) = (frame.Width, frame.Height);
                    }
                    frame.Dispose();
                }
            }
            _elapsed = clock.Elapsed.TotalSeconds;
            _status = loop.Status;
            _pacing = loop.Pacing;
            loop.Stop();
        }

        public string Text(SourceOptions asked) => ProbeCommand.Text(spec, asked, _status, _seen, _elapsed, _width, _height, _pacing);

        public Dictionary<string, object?> Json(SourceOptions asked)
        {
            var doc = ProbeCommand.Json(spec, asked, _status, _seen, _elapsed, _width, _height, _pacing);
            doc["stream"] = index;
            return doc;
        }
    }

    private static string Text(SourceSpec spec, SourceOptions options, CaptureStatus status, int seen, double elapsed, int w, int h, Pacing pacing)
    {
        var lines = new List<string>
        {
            $"source     {spec} ({spec.Kind}{(spec.IsLive ? ", live" : "")})",
            $"stream     {status.Info}",
        };
        if (spec.Kind == SourceKind.Camera && (options.HasSize || options.Fps > 0))
        {
            lines.Add($"asked for  {(options.HasSize ? $"{options.Width}x{options.Height}" : "default size")} at {(options.Fps > 0 ? $"{options.Fps:0.##} fps" : "default fps")}; negotiated {status.Info.Size} at {status.Info.Rate}");
        }
        lines.Add($"pacing     {(pacing == Pacing.Live ? "live (newest frame wins, stale frames dropped)" : "lossless (every frame once, in order)")}");
        lines.Add($"captured   {seen} frames in {elapsed:0.0} s{(w > 0 ? $", first frame {w}x{h}" : "")}, {status.MeasuredFps:0.0} fps measured from capture times, {status.Dropped} dropped, {status.Reconnects} reconnects");
        if (status.Message is { } message)
        {
            lines.Add($"note       {message}");
        }
        return string.Join(Environment.NewLine, lines);
    }

    private static Dictionary<string, object?> Json(SourceSpec spec, SourceOptions options, CaptureStatus status, int seen, double elapsed, int w, int h, Pacing pacing)
    {
        return new Dictionary<string, object?>
        {
            ["source"] = spec.Text,
            ["kind"] = spec.Kind.ToString(),
            ["live"] = spec.IsLive,
            ["stream.width"] = status.Info.Width,
            ["stream.height"] = status.Info.Height,
            ["stream.fps"] = status.Info.Fps,
            ["stream.frames"] = status.Info.FrameCount,
            ["stream.codec"] = status.Info.Codec,
            ["requested.width"] = options.Width,
            ["requested.height"] = options.Height,
            ["requested.fps"] = options.Fps,
            ["pacing"] = pacing.ToString().ToLowerInvariant(),
            ["frames"] = seen,
            ["seconds"] = Math.Round(elapsed, 3),
            ["frame.width"] = w,
            ["frame.height"] = h,
            ["measuredFps"] = Math.Round(status.MeasuredFps, 2),
            ["dropped"] = status.Dropped,
            ["reconnects"] = status.Reconnects,
            ["state"] = status.State.ToString().ToLowerInvariant(),
            ["message"] = status.Message,
        };
    }
}
