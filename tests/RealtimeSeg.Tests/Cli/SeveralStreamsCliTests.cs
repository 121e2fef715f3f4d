using System.Text.Json;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Tests.Capture;

namespace RealtimeSeg.Tests.Cli;

/// <summary>
/// <c>--source</c> given more than once: record (a file per stream, or one mosaic), probe and bench, end to end with
/// real FFmpeg sources, the demo model, EGL and the encoder.
/// </summary>
public sealed class SeveralStreamsCliTests
{
    private static List<JsonElement> Lines(string path) =>
        File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void RecordWritesAFilePerStreamEachWithItsOwnFramesAndDuration()
    {
        using var dir = Fixtures.TempDir();
        // Stream 0: a 10-frame file, recorded losslessly (every frame once, well inside the duration, which bounds
        // every stream). Stream 1: a live lavfi source at another size and rate, recorded for --duration by
        // capture time. Both through the one model at once.
        string clip = dir.File("clip.mp4");
        TestClips.Ffmpeg("-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={TestClips.Width}x{TestClips.Height}:rate=25", "-frames:v", "10",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", clip);
        var r = CliRunner.Run(["record", "--model", Fixtures.DemoModel, "--source", clip, "--source", "lavfi:testsrc=size=256x192:rate=20",
            "--out", dir.File("cam{n}.mp4"), "--results", dir.File("cam{n}.jsonl"), "--duration", "5"], timeoutSeconds: 240);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("stream 0 (", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("stream 1 (lavfi:", r.Stdout, StringComparison.Ordinal);

        var file = RecordCommandTests.Probe(dir.File("cam0.mp4"));
        Assert.Equal((TestClips.Width, TestClips.Height, 10), (file.Width, file.Height, file.Frames));
        Assert.Equal(25, file.Fps, 1);
        var live = RecordCommandTests.Probe(dir.File("cam1.mp4"));
        Assert.Equal((256, 192), (live.Width, live.Height));
        Assert.Equal(20, live.Fps, 1);
        Assert.InRange(live.Duration, 4.5, 5.6); // by capture time: the duration asked for
        Assert.NotEqual(file.Frames, live.Frames);

        var lines0 = Lines(dir.File("cam0.jsonl"));
        var lines1 = Lines(dir.File("cam1.jsonl"));
        Assert.Equal(10, lines0.Count);
        Assert.All(lines0, l => Assert.Equal(0, l.GetProperty("stream").GetInt32()));
        Assert.All(lines1, l => Assert.Equal(1, l.GetProperty("stream").GetInt32()));
        Assert.All(lines1, l => Assert.Equal(256, l.GetProperty("width").GetInt32()));
        // Each stream has its own results: the lossless file's every line has one, the live stream's later lines do.
        Assert.All(lines0, l => Assert.NotEqual(JsonValueKind.Null, l.GetProperty("result").ValueKind));
        Assert.Contains(lines1, l => l.GetProperty("result").ValueKind != JsonValueKind.Null);
    }

    [Fact]
    public void AStreamThatCannotOpenIsReportedWhileTheOthersAreRecorded()
    {
        using var dir = Fixtures.TempDir();
        var r = CliRunner.Run(["record", "--model", Fixtures.DemoModel, "--source", "synthetic", "--source", "rtsp://127.0.0.1:9/none",
            "--out", dir.File("cam{n}.mp4"), "--duration", "2"], timeoutSeconds: 240);
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"error: stream 1 \(rtsp://127\.0\.0\.1:9/none\): .*could not be opened", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        var recorded = RecordCommandTests.Probe(dir.File("cam0.mp4"));
        Assert.InRange(recorded.Duration, 1.5, 2.6);
        Assert.False(File.Exists(dir.File("cam1.mp4")), "the failed stream left a file");
    }

    [Fact]
    public void TheMosaicTilesEveryStreamWhereTheGridPutsIt()
    {
        using var dir = Fixtures.TempDir();
        // Three flat colours, so each tile's pixels say whose they are; a 2x2 grid leaves the fourth tile black.
        var r = CliRunner.Run(["record", "--model", Fixtures.DemoModel,
            "--source", "lavfi:color=c=red:size=320x240:rate=15", "--source", "lavfi:color=c=lime:size=320x240:rate=15", "--source", "lavfi:color=c=blue:size=160x240:rate=15",
            "--mosaic", dir.File("grid.mp4"), "--mosaic-size", "640x480", "--results", dir.File("grid.jsonl"), "--snapshot", dir.File("grid.png"),
            "--duration", "2", "--fps", "10", "--no-boxes", "--no-labels", "--no-masks"], timeoutSeconds: 240);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("mosaic of 3 streams (2x2 tiles, 640x480)", r.Stdout, StringComparison.Ordinal);
        var video = RecordCommandTests.Probe(dir.File("grid.mp4"));
        Assert.Equal((640, 480), (video.Width, video.Height));
        Assert.Equal(10, video.Fps, 1);
        Assert.InRange(video.Duration, 1.5, 2.6);

        using var shot = Png.Read(dir.File("grid.png"));
        byte[] Pixel(int x, int y) => shot.Row(y).Slice(x * shot.Format.BytesPerPixel(), 3).ToArray();
        bool Near(byte[] p, int r, int g, int b) => Math.Abs(p[0] - r) < 40 && Math.Abs(p[1] - g) < 40 && Math.Abs(p[2] - b) < 40;
        // Tiles are 319x239 with a 2-pixel gutter: stream 0 top left, 1 top right, 2 bottom left (letterboxed:
        // 160x240 in a 319x239 tile is 159 wide, centred), the fourth tile empty.
        Assert.True(Near(Pixel(160, 120), 255, 0, 0), "stream 0's tile is not red");
        Assert.True(Near(Pixel(480, 120), 0, 255, 0), "stream 1's tile is not green");
        Assert.True(Near(Pixel(160, 360), 0, 0, 255), "stream 2's tile is not blue");
        Assert.True(Near(Pixel(20, 360), 0, 0, 0), "stream 2's letterbox is not black");
        Assert.True(Near(Pixel(480, 360), 0, 0, 0), "the empty fourth tile is not black");
        Assert.True(Near(Pixel(320, 120), 0, 0, 0), "no gutter between the top tiles");

        var lines = Lines(dir.File("grid.jsonl"));
        var streams = lines.Select(l => l.GetProperty("stream").GetInt32()).ToHashSet();
        Assert.Equal([0, 1, 2], streams.Order());
        Assert.All(lines.Where(l => l.GetProperty("stream").GetInt32() == 2), l => Assert.Equal(160, l.GetProperty("width").GetInt32()));
    }

    [Fact]
    public void SeveralStreamsWithOneOutputOrMismatchedOptionsAreRefusedBeforeAnythingRuns()
    {
        using var dir = Fixtures.TempDir();
        string[] two = ["--source", "synthetic", "--source", "lavfi:testsrc"];
        string[][] cases =
        [
            ["record", "--model", Fixtures.DemoModel, .. two, "--out", dir.File("one.mp4")],
            ["record", "--model", Fixtures.DemoModel, .. two],
            ["record", "--model", Fixtures.DemoModel, .. two, "--out", dir.File("c{n}.mp4"), "--results", dir.File("one.jsonl")],
            ["record", "--model", Fixtures.DemoModel, .. two, "--mosaic", dir.File("m.mp4"), "--out", dir.File("c{n}.mp4")],
            ["record", "--model", Fixtures.DemoModel, .. two, "--mosaic", dir.File("m.mp4"), "--mosaic-size", "641x480"],
            ["record", "--model", Fixtures.DemoModel, .. two, "--mosaic", dir.File("m.mp4"), "--lossless"],
            ["record", "--model", Fixtures.DemoModel, .. Enumerable.Range(0, 17).SelectMany(_ => new[] { "--source", "synthetic" }), "--out", dir.File("c{n}.mp4")],
        ];
        string[] expected = ["put {n} in it", "give --out 'cam{n}.mp4'", "put {n} in it too", "--mosaic and --out both given", "give even numbers", "drop --lossless", "at most 16 streams"];
        for (int i = 0; i < cases.Length; i++)
        {
            var line = CliRunner.AssertOneLineError(CliRunner.Run(cases[i]));
            Assert.Contains(expected[i], line, StringComparison.Ordinal);
        }
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task ViewShowsEveryStreamInOneWindowUntilCtrlC()
    {
        string display = Renderer.XvfbDisplay.Ensure();
        using var view = SignalReadyProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "realtimeseg.dll"), "view", "-m", Fixtures.DemoModel,
            "-s", "synthetic", "-s", "lavfi:testsrc=size=320x240:rate=15", "--window", "640x240"], environment: new Dictionary<string, string> { ["DISPLAY"] = display });
        var stdout = view.StandardOutput.ReadToEndAsync();
        var stderr = view.StandardError.ReadToEndAsync();
        try
        {
            // (Its stderr is read only once it has ended: awaited in a message it would wait for the end.)
            Assert.False(view.WaitForExit(TimeSpan.FromSeconds(8)), "view ended by itself");
            SignalReadyProcess.Interrupt(view);
            Assert.True(view.WaitForExit(TimeSpan.FromSeconds(20)), "view did not stop on Ctrl+C");
        }
        catch
        {
            view.Kill(entireProcessTree: true);
            throw;
        }
        string output = await stdout;
        Assert.True(view.ExitCode == 0, await stderr);
        var summary = System.Text.RegularExpressions.Regex.Match(output, @"viewed (\d+) frames of 2 streams .*; results per stream (\d+), (\d+)");
        Assert.True(summary.Success, output);
        Assert.True(int.Parse(summary.Groups[1].Value) > 10, output);
        Assert.True(int.Parse(summary.Groups[2].Value) > 0 && int.Parse(summary.Groups[3].Value) > 0, $"a stream got no results: {output}");
    }

    [Fact]
    public void ProbeMeasuresEverySourceAtOnce()
    {
        var r = CliRunner.Run(["probe", "--source", "lavfi:testsrc=size=320x240:rate=25", "--source", "lavfi:testsrc=size=160x120:rate=10", "--seconds", "2", "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var streams = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, streams.Count);
        Assert.Equal([0, 1], streams.Select(s => s.GetProperty("stream").GetInt32()));
        Assert.Equal([320, 160], streams.Select(s => s.GetProperty("frame.width").GetInt32()));
        Assert.InRange(streams[0].GetProperty("measuredFps").GetDouble(), 22, 27);
        Assert.InRange(streams[1].GetProperty("measuredFps").GetDouble(), 8, 12);
        // Both ran over the same two seconds, not one after the other.
        Assert.All(streams, s => Assert.InRange(s.GetProperty("seconds").GetDouble(), 1.9, 3));

        var failing = CliRunner.Run(["probe", "--source", "lavfi:testsrc=size=320x240:rate=25", "--source", Path.Combine(Path.GetTempPath(), "realtimeseg-missing.mp4"), "--seconds", "1"]);
        Assert.Equal(2, failing.ExitCode);
        Assert.Contains("[stream 0]", failing.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"error: stream 1 \(.*missing\.mp4\): .*does not exist", failing.Stderr);
    }

    [Fact]
    public void BenchWithSeveralSourcesGivesEachStreamsResultsAndLatencyBesideOneStream()
    {
        // testsrc2 decodes to 4:2:0 planes, pushed as planes; the synthetic scene is RGB.
        var r = CliRunner.Run(["bench", "--model", Fixtures.DemoModel, "--source", "synthetic", "--source", "lavfi:testsrc2=size=320x240:rate=25",
            "--frames", "8", "--seconds", "1", "--rounds", "1", "--json"], timeoutSeconds: 180);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("streams").GetInt32());
        var perStream = root.GetProperty("perStream").EnumerateArray().ToList();
        Assert.Equal(["synthetic", "lavfi:testsrc2=size=320x240:rate=25"], perStream.Select(s => s.GetProperty("source").GetString()));
        Assert.All(perStream, s => Assert.True(s.GetProperty("resultsPerSecond").GetDouble() > 0));
        Assert.All(perStream, s => Assert.True(s.GetProperty("latencyP95Ms").GetDouble() >= s.GetProperty("latencyP50Ms").GetDouble()));
        Assert.Equal(root.GetProperty("resultsPerSecond").GetDouble(), perStream.Sum(s => s.GetProperty("resultsPerSecond").GetDouble()), 0);
        Assert.True(root.GetProperty("oneStreamResultsPerSecond").GetDouble() > 0);
    }
}
