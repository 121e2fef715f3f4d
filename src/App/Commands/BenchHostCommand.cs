using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RealtimeSeg.Capture;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// <c>realtimeseg bench-host</c>: the C# embedding API's push-to-result throughput on the host's own frames:
/// each frame published through <see cref="SegmentationSession.FromHostFrames"/> and its result waited for before
/// the next. The C ABI's host (tests/native/rts_check.c, mode bench) does exactly the same through librealtimeseg;
/// bench/native.sh runs the two side by side.
/// </summary>
internal static class BenchHostCommand
{
    public static Command Create()
    {
        var args = new ModelArguments();
        var frames = new Option<int>("--frames") { Description = "Frames pushed (after 10 of warm-up), cycling through the images", DefaultValueFactory = _ => 200 };
        var images = new Argument<string[]>("images") { Description = "PNG or binary RGB PPM frames to push", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var streams = new Option<int>("--streams") { Description = "Streams (host-frame sessions) sharing the one loaded model, each pushing and waiting on its own thread; above 1, measured for --seconds beside one stream and bare Run, interleaved --rounds times", DefaultValueFactory = _ => 1 };
        var measureSeconds = new Option<double>("--seconds") { Description = "Length of each measurement with --streams above 1", DefaultValueFactory = _ => 10 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of (bare Run, one stream, all streams) with --streams above 1; medians are printed", DefaultValueFactory = _ => 3 };
        var command = new Command("bench-host", "Measure the C# embedding API's push-to-result throughput (host frames in, each result waited for): the baseline for the C ABI's (bench/native.sh)");
        args.AddTo(command);
        command.Options.Add(frames);
        command.Options.Add(json);
        command.Options.Add(streams);
        command.Options.Add(measureSeconds);
        command.Options.Add(rounds);
        command.Arguments.Add(images);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int n = parse.GetValue(frames);
            if (n < 10)
            {
                throw new RealtimeSegException($"--frames {n} is too few to measure; use 10 or more");
            }
            var pictures = parse.GetValue(images)!.Select(path => !File.Exists(path)
                ? throw new RealtimeSegException($"'{path}' does not exist; give PNG or binary RGB PPM frames")
                : path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? Png.Read(path) : Ppm.Read(path)).ToList();
            using var model = args.Open(parse);
            int streamCount = parse.GetValue(streams);
            if (streamCount is < 1 or > 64)
            {
                throw new RealtimeSegException($"--streams {streamCount} is out of range; use 1 to 64");
            }
            if (streamCount > 1)
            {
                var names = parse.GetValue(images)!;
                return SharedModelBench.Run(model, Enumerable.Repeat<IReadOnlyList<Frame>>(pictures, streamCount).ToList(),
                    Enumerable.Repeat(names.Length == 1 ? names[0] : $"{names.Length} images", streamCount).ToList(), parse.GetValue(measureSeconds), parse.GetValue(rounds), parse.GetValue(json));
            }
            using var session = SegmentationSession.FromHostFrames(model);
            session.Start();
            for (int i = 0; i < 10; i++)
            {
                PushAndWait(session, pictures[i % pictures.Count]);
            }
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < n; i++)
            {
                PushAndWait(session, pictures[i % pictures.Count]);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            session.Stop();
            foreach (var picture in pictures)
            {
                picture.Dispose();
            }
            Console.Out.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(new Dictionary<string, object> { ["frames"] = n, ["seconds"] = Math.Round(seconds, 3), ["fps"] = Math.Round(n / seconds, 2) }, CliJson.Indented)
                : string.Create(CultureInfo.InvariantCulture, $"bench frames {n} seconds {seconds:0.000} fps {n / seconds:0.00}"));
            return 0;
        }));
        return command;
    }

    internal static void PushAndWait(SegmentationSession session, Frame picture)
    {
        // A decoder's 4:2:0 planes (what FFmpeg sources hand over) go in as planes, as a host's decoder would push them.
        long id = picture.Format == PixelFormat.Yuv420
            ? session.HostFrames!.PublishYuv420(picture.Pixels, picture.Width, picture.Height, picture.Stride, picture.Color)
            : session.HostFrames!.Publish(picture.Pixels, picture.Width, picture.Height, picture.Stride, picture.Format);
        if (!session.TryWaitForResult(id, TimeSpan.FromSeconds(30), out var result))
        {
            throw new RealtimeSegException($"no result for frame {id} within 30 s");
        }
        result.Dispose();
    }
}
