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
        var images = new Argument<string[]>("images") { Description = "Binary RGB PPM frames to push", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var command = new Command("bench-host", "Measure the C# embedding API's push-to-result throughput (host frames in, each result waited for): the baseline for the C ABI's (bench/native.sh)");
        args.AddTo(command);
        command.Options.Add(frames);
        command.Options.Add(json);
        command.Arguments.Add(images);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int n = parse.GetValue(frames);
            if (n < 10)
            {
                throw new RealtimeSegException($"--frames {n} is too few to measure; use 10 or more");
            }
            var pictures = parse.GetValue(images)!.Select(path => File.Exists(path) ? Ppm.Read(path)
                : throw new RealtimeSegException($"'{path}' does not exist; give binary RGB PPM frames")).ToList();
            using var model = args.Open(parse);
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

    private static void PushAndWait(SegmentationSession session, Frame picture)
    {
        long id = session.HostFrames!.Publish(picture.Pixels, picture.Width, picture.Height, picture.Width * 3, PixelFormat.Rgb24);
        if (!session.TryWaitForResult(id, TimeSpan.FromSeconds(30), out var result))
        {
            throw new RealtimeSegException($"no result for frame {id} within 30 s");
        }
        result.Dispose();
    }
}
