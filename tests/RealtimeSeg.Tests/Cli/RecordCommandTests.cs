using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;
using RealtimeSeg.Tests.Capture;

namespace RealtimeSeg.Tests.Cli;

/// <summary><c>record</c> and <c>demo</c> end to end: real capture, model, GL (EGL), FFmpeg, decoded back and checked.</summary>
public sealed class RecordCommandTests
{
    internal static (int Width, int Height, double Fps, double Duration, int Frames) Probe(string file)
    {
        var psi = new ProcessStartInfo(TestClips.Tools.Ffprobe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                     "stream=width,height,r_frame_rate,nb_read_frames,codec_name,pix_fmt:format=duration", "-of", "json", file })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        string json = p.StandardOutput.ReadToEnd();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"ffprobe {file}: {err}");
        using var doc = JsonDocument.Parse(json);
        var s = doc.RootElement.GetProperty("streams")[0];
        Assert.Equal("h264", s.GetProperty("codec_name").GetString());
        Assert.Equal("yuv420p", s.GetProperty("pix_fmt").GetString());
        var rate = s.GetProperty("r_frame_rate").GetString()!.Split('/');
        return (s.GetProperty("width").GetInt32(), s.GetProperty("height").GetInt32(),
            double.Parse(rate[0], CultureInfo.InvariantCulture) / double.Parse(rate[1], CultureInfo.InvariantCulture),
            double.Parse(doc.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture),
            int.Parse(s.GetProperty("nb_read_frames").GetString()!, CultureInfo.InvariantCulture));
    }

    /// <summary>Every frame of a video as packed RGB, decoded by FFmpeg.</summary>
    private static List<byte[]> Decode(string file, int width, int height)
    {
        var psi = new ProcessStartInfo(TestClips.Tools.Ffmpeg) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-v", "error", "-i", file, "-f", "rawvideo", "-pix_fmt", "rgb24", "-" })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        _ = p.StandardError.ReadToEndAsync();
        var frames = new List<byte[]>();
        while (true)
        {
            var buffer = new byte[width * height * 3];
            if (p.StandardOutput.BaseStream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
            {
                break;
            }
            frames.Add(buffer);
        }
        p.WaitForExit();
        return frames;
    }

    [Fact]
    public void RecordingTheSyntheticSceneKeepsEveryFrameAndDrawsOnTheObjects()
    {
        using var dir = Fixtures.TempDir();
        string output = dir.File("scene.mp4");
        var r = CliRunner.Run(["record", "--model", Fixtures.DemoModel, "--source", "synthetic:4", "--lossless", "--frames", "24", "--out", output], timeoutSeconds: 180);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("recorded 24 frames", r.Stdout, StringComparison.Ordinal);
        var info = Probe(output);
        Assert.Equal((640, 480, 30.0, 24), (info.Width, info.Height, info.Fps, info.Frames));

        var frames = Decode(output, 640, 480);
        Assert.Equal(24, frames.Count);
        var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Width = 640, Height = 480, Seed = 4 });
        using var source = Frame.Allocate(640, 480, PixelFormat.Rgb24);
        var truth = new InstanceSet(SyntheticShapesSource.ClassLabels);
        double insideDiff = 0, farDiff = 0;
        long insideCount = 0, farCount = 0;
        for (int k = 0; k < frames.Count; k++)
        {
            scene.Render(source, truth);
            var outside = new bool[640, 480];
            for (int g = 0; g < truth.Count; g++)
            {
                var box = truth.Boxes[g];
                var mask = truth.Mask(g);
                for (int y = Math.Max(0, (int)box.Y1 - 30); y < Math.Min(480, (int)box.Y2 + 30); y++)
                {
                    for (int x = Math.Max(0, (int)box.X1 - 30); x < Math.Min(640, (int)box.X2 + 30); x++)
                    {
                        outside[x, y] = true; // near something: neither "inside" nor "far"
                    }
                }
                if (mask.PixelCount < 2000)
                {
                    continue;
                }
                for (int y = mask.Bounds.Y0 + 4; y < mask.Bounds.Y1 - 4; y += 2)
                {
                    for (int x = mask.Bounds.X0 + 4; x < mask.Bounds.X1 - 4; x += 2)
                    {
                        if (mask[x, y] && mask[x - 4, y] && mask[x + 4, y] && mask[x, y - 4] && mask[x, y + 4])
                        {
                            insideDiff += Difference(frames[k], source, x, y);
                            insideCount++;
                        }
                    }
                }
            }
            for (int y = 40; y < 480; y += 8) // below the HUD band
            {
                for (int x = 0; x < 640; x += 8)
                {
                    if (!outside[x, y])
                    {
                        farDiff += Difference(frames[k], source, x, y);
                        farCount++;
                    }
                }
            }
        }
        Assert.True(insideCount > 1000 && farCount > 1000, $"{insideCount} inside and {farCount} far samples");
        Assert.True(insideDiff / insideCount > 25, $"inside ground-truth masks the recording differs from the source by only {insideDiff / insideCount:0.0} per channel: no overlay?");
        Assert.True(farDiff / farCount < 8, $"far from every object the recording differs from the source by {farDiff / farCount:0.0} per channel");
    }

    private static double Difference(byte[] recorded, Frame source, int x, int y)
    {
        var row = source.Row(y);
        int i = (y * 640 + x) * 3;
        return (Math.Abs(recorded[i] - row[3 * x]) + Math.Abs(recorded[i + 1] - row[3 * x + 1]) + Math.Abs(recorded[i + 2] - row[3 * x + 2])) / 3.0;
    }

    [Fact]
    public void AVideoFileIsRecordedWithTheSameFrameCountSizeAndRate()
    {
        using var dir = Fixtures.TempDir();
        string output = dir.File("clip.mkv");
        var r = CliRunner.Run(["record", "-m", Fixtures.DemoModel, "-s", TestClips.Mp4, "-o", output], timeoutSeconds: 120);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var info = Probe(output);
        Assert.Equal((TestClips.Width, TestClips.Height, 25.0, TestClips.Frames), (info.Width, info.Height, info.Fps, info.Frames));
    }

    [Fact]
    public void ALiveRecordingLastsAsLongAsItWasAskedWhateverTheInferenceSpeed()
    {
        using var dir = Fixtures.TempDir();
        string output = dir.File("live.mp4");
        var r = CliRunner.Run(["record", "-m", Fixtures.DemoModel, "-s", "lavfi:testsrc2=size=320x240:rate=30", "--duration", "3", "-o", output], timeoutSeconds: 60);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var info = Probe(output);
        Assert.InRange(info.Duration, 2.8, 3.2);
        Assert.Equal(30.0, info.Fps);
    }

    [Fact]
    public void InferenceFpsCapsTheModelWhileTheRecordingKeepsTheSourceRate()
    {
        using var dir = Fixtures.TempDir();
        string output = dir.File("capped.mp4");
        var r = CliRunner.Run(["record", "-m", Fixtures.DemoModel, "-s", "synthetic", "--duration", "3", "--inference-fps", "2", "--sync", "-o", output], timeoutSeconds: 60);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var processed = System.Text.RegularExpressions.Regex.Match(r.Stdout, @"processed (\d+) frames in ([0-9.]+) s");
        Assert.True(processed.Success, r.Stdout);
        int results = int.Parse(processed.Groups[1].Value, CultureInfo.InvariantCulture);
        double seconds = double.Parse(processed.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.InRange(results, 2, (int)(seconds * 2) + 2); // uncapped, nearly all of the source's 30 a second
        var info = Probe(output);
        Assert.Equal(30.0, info.Fps);
        Assert.InRange(info.Frames, 80, 100); // the source's rate and length (sync: each result's picture repeats until the next)
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("5000")]
    public void AnInferenceFpsOutOfRangeIsRefusedBeforeAnythingIsWritten(string fps)
    {
        using var dir = Fixtures.TempDir();
        var r = CliRunner.Run(["record", "-m", Fixtures.DemoModel, "-s", "synthetic", "--inference-fps", fps, "-o", dir.File("out.mp4")]);
        Assert.Contains($"--inference-fps {fps} is out of range", CliRunner.AssertOneLineError(r), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    private static Process StartRecording(string output, double seconds) =>
        SignalReadyProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "realtimeseg.dll"), "record", "-m", Fixtures.DemoModel,
            "-s", "lavfi:testsrc2=size=320x240:rate=30", "--duration", seconds.ToString(CultureInfo.InvariantCulture), "-o", output]);

    /// <summary>Waits until the recording has really started (the file grows past its header).</summary>
    private static void WaitForFrames(Process recorder, Task<string> stderr, string output, double seconds)
    {
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(output) && new FileInfo(output).Length > 20_000) && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (recorder.HasExited)
            {
                recorder.WaitForExit();
                Assert.Fail($"the recorder exited early with {recorder.ExitCode}: {(stderr.IsCompleted ? stderr.Result : "")}");
            }
            Thread.Sleep(50);
        }
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
    }

    [Fact]
    public void AKilledRecorderLeavesAFileThatPlaysUpToItsLastSecond()
    {
        using var dir = Fixtures.TempDir();
        string output = dir.File("killed.mp4");
        using var recorder = StartRecording(output, 60);
        _ = recorder.StandardOutput.ReadToEndAsync();
        var stderr = recorder.StandardError.ReadToEndAsync();
        WaitForFrames(recorder, stderr, output, 3);
        var killedAt = Stopwatch.StartNew();
        recorder.Kill(entireProcessTree: false); // SIGKILL to the recorder only: its ffmpeg sees its input end
        recorder.WaitForExit();
        Thread.Sleep(500); // ffmpeg, orphaned, flushes what it has and exits on the closed pipe
        var info = Probe(output);
        Assert.True(info.Duration >= 2.0, $"the killed recording plays {info.Duration:0.00} s; about 3 s were recorded");
        Assert.True(info.Frames >= 60);
    }

    [Fact]
    public async Task CtrlCFinishesTheFileAndPrintsTheSummary()
    {
        using var dir = Fixtures.TempDir();
        string output = dir.File("interrupted.mp4");
        using var recorder = StartRecording(output, 60);
        var stdout = recorder.StandardOutput.ReadToEndAsync();
        var stderr = recorder.StandardError.ReadToEndAsync();
        WaitForFrames(recorder, stderr, output, 2);
        SignalReadyProcess.Interrupt(recorder);
        Assert.True(recorder.WaitForExit(TimeSpan.FromSeconds(30)), "the recorder did not finish after Ctrl+C");
        Assert.True(recorder.ExitCode == 0, await stderr);
        Assert.Contains("stopped by Ctrl+C", await stdout, StringComparison.Ordinal);
        var info = Probe(output);
        Assert.InRange(info.Duration, 1.5, 10);
    }

    [Theory]
    [InlineData("missing-folder/out.mp4", "does not exist")]
    [InlineData("out.avi", "recordings are .mp4, .mov, .mkv")]
    [InlineData("out.webm", "WebM needs VP8/VP9")]
    public void BadOutputsFailBeforeAnythingIsWritten(string name, string message)
    {
        using var dir = Fixtures.TempDir();
        var r = CliRunner.Run(["record", "-m", Fixtures.DemoModel, "-s", "synthetic", "-o", dir.File(name)]);
        Assert.Contains(message, CliRunner.AssertOneLineError(r), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void AMissingModelFailsWithoutAPartialFile()
    {
        using var dir = Fixtures.TempDir();
        var r = CliRunner.Run(["record", "-m", dir.File("nope.onnx"), "-s", "synthetic", "-o", dir.File("out.mp4")]);
        Assert.Contains("nope.onnx", CliRunner.AssertOneLineError(r), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void ViewWithoutADisplaySaysToRecordInstead()
    {
        var r = CliRunner.Run(["view", "-m", Fixtures.DemoModel, "-s", "synthetic"], new Dictionary<string, string> { ["DISPLAY"] = "", ["WAYLAND_DISPLAY"] = "" });
        Assert.Contains("use realtimeseg record", CliRunner.AssertOneLineError(r), StringComparison.Ordinal);
    }

    [Fact]
    public void TheDemoRunsHeadlessAndWritesItsClip()
    {
        using var dir = Fixtures.TempDir();
        string output = dir.File("demo.mp4");
        var r = CliRunner.Run(["demo", "--seconds", "2", "--out", output], new Dictionary<string, string> { ["DISPLAY"] = "", ["WAYLAND_DISPLAY"] = "" }, timeoutSeconds: 120);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("recorded", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("fps end to end", r.Stdout, StringComparison.Ordinal);
        var info = Probe(output);
        Assert.Equal((640, 480), (info.Width, info.Height));
        Assert.InRange(info.Duration, 1.8, 2.2);
    }
}
