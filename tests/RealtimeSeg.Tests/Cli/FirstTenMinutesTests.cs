using System.Diagnostics;
using System.Globalization;
using RealtimeSeg.Capture.Recording;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Tests.Capture;

namespace RealtimeSeg.Tests.Cli;

/// <summary>What a first-time user hits in their first ten minutes, each checked the way they meet it.</summary>
public sealed class FirstTenMinutesTests
{
    [Fact]
    public void AfterADebugBuildTheLauncherStartsAtOnceWithoutBuilding()
    {
        // An IDE's Debug build writes generated .cs files under obj/Debug; they are not sources.
        CliRunner.RunProgram("dotnet", ["build", Path.Combine(Fixtures.RepoRoot, "src", "App", "RealtimeSeg.App.csproj"), "-c", "Debug", "-nologo", "-v", "quiet"]);
        var launcher = CliRunner.RunProgram(Path.Combine(Fixtures.RepoRoot, "realtimeseg"), ["info", "--model", Fixtures.MaskRcnn]);
        Assert.Equal("", launcher.Stderr);
        Assert.Contains("provider     cpu (running)", launcher.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("info")]
    [InlineData("bench")]
    [InlineData("segment")]
    [InlineData("record")]
    [InlineData("view")]
    [InlineData("demo")]
    [InlineData("probe")]
    [InlineData("evaluate")]
    [InlineData("synth-dataset")]
    [InlineData("bench-decode")]
    [InlineData("bench-render")]
    public void AnUnknownOptionIsOneLineFirstWithExitCode2(string command)
    {
        Assert.Equal($"error: unknown option '--no-such-flag' for '{command}'; see realtimeseg {command} --help",
            CliRunner.AssertOneLineError(CliRunner.Run([command, "--no-such-flag"])));
    }

    [Fact]
    public void AMissingRequiredOptionOrCommandIsOneLine()
    {
        Assert.Equal("error: missing option --model for 'segment'; see realtimeseg segment --help",
            CliRunner.AssertOneLineError(CliRunner.Run(["segment", "--input", "x.png"])));
        Assert.Equal("error: unknown command 'segmnet'; see realtimeseg --help",
            CliRunner.AssertOneLineError(CliRunner.Run(["segmnet"])));
        Assert.Equal("error: no command given; see realtimeseg --help", CliRunner.AssertOneLineError(CliRunner.Run([])));
        // Help is still help.
        var help = CliRunner.Run(["info", "--help"]);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--model", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ASourceThatCannotBeReadIsNamedInTheSourcesTermsAndNoFileIsLeft()
    {
        using var dir = Fixtures.TempDir();
        string audio = dir.File("audio.m4a"), empty = dir.File("empty.mp4"), text = dir.File("text.mp4");
        TestClips.Ffmpeg("-v", "error", "-y", "-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", audio);
        File.WriteAllBytes(empty, []);
        File.WriteAllText(text, "not a video\n");
        foreach (var (source, expected) in new[]
                 {
                     (audio, $"error: '{audio}' has no video stream (ffprobe found none); give a video, image, camera or stream"),
                     (empty, $"error: '{empty}' is empty (0 bytes): it holds no video; check the copy or the recording that made it"),
                     (text, $"error: '{text}' cannot be read as video or image: it may be truncated, encrypted or not a media file"),
                 })
        {
            string output = dir.File(Path.GetFileName(source) + ".out.mp4");
            string line = CliRunner.AssertOneLineError(CliRunner.Run(["record", "--source", source, "--model", Fixtures.DemoModel, "--out", output]));
            Assert.StartsWith(expected, line, StringComparison.Ordinal);
            Assert.DoesNotContain("frame -1", line, StringComparison.Ordinal);
            Assert.DoesNotContain("inference", line, StringComparison.Ordinal);
            Assert.False(File.Exists(output), $"{output} was left behind");
        }
    }

    [Fact]
    public void AnOddSizedVideoKeepsEveryPixelAndSaysSoOnce()
    {
        using var dir = Fixtures.TempDir();
        string odd = dir.File("odd.mkv"), output = dir.File("odd.mp4");
        // testsrc2 rounds its size to even numbers: scale to the odd size after it.
        TestClips.Ffmpeg("-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10", "-vf", "scale=321:239", "-frames:v", "10",
            "-c:v", "libx264", "-pix_fmt", "yuv444p", odd);
        var r = CliRunner.Run(["record", "--source", odd, "--model", Fixtures.DemoModel, "--out", output, "--no-masks", "--no-boxes", "--no-labels"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Single(Lines(r.Stdout + r.Stderr), l => l.Contains("321x239 frames are recorded as 322x240", StringComparison.Ordinal));
        Assert.Contains("warning: 321x239 frames are recorded as 322x240 (H.264's 4:2:0 needs even sides): one black column and one black row added, every source pixel kept",
            r.Stdout + r.Stderr, StringComparison.Ordinal);
        var rgb = DecodeFirstFrame(output, 322, 240);
        // The added column and row are black; the source's own last column is not (testsrc2 is bright there).
        Assert.True(rgb[(100 * 322 + 321) * 3] < 20 && rgb[(239 * 322 + 100) * 3] < 20, "the padding is not black");
        Assert.True(Luma(rgb, 322, 320, 100) > 30, "the source's last column was cut");
    }

    [Fact]
    public void AGrayFrameRecordsAsGrayAndYuvHasItsOwnFormat()
    {
        using var dir = Fixtures.TempDir();
        string output = dir.File("gray.mkv");
        using (var writer = VideoWriter.Create(output, 64, 48, PixelFormat.Gray8, new VideoWriterOptions { Fps = 10 }))
        {
            for (int i = 0; i < 5; i++)
            {
                var frame = Frame.Allocate(64, 48, PixelFormat.Gray8);
                frame.Pixels.Fill(200);
                writer.Write(frame);
            }
            writer.Finish();
        }
        var rgb = DecodeFirstFrame(output, 64, 48);
        Assert.InRange(rgb[(20 * 64 + 30) * 3], 195, 205);
        Assert.InRange(rgb[(20 * 64 + 30) * 3 + 1], 195, 205);

        using var yuv = Frame.Allocate(64, 48, PixelFormat.Yuv420);
        Assert.Equal((64, 48, 64 * 48 * 3 / 2), (yuv.Width, yuv.Height, yuv.Pixels.Length));
        Assert.Throws<ArgumentException>(() => Frame.Allocate(63, 48, PixelFormat.Yuv420));
    }

    [Fact]
    public void NoFileSendsTheReaderOutsideTheRepository()
    {
        string[] roots = ["src", "tests", "tools", "docs", "scripts", "bench", "models", "shaders"];
        var offenders = roots.Select(r => Path.Combine(Fixtures.RepoRoot, r))
            .SelectMany(r => Directory.EnumerateFiles(r, "*", SearchOption.AllDirectories))
            .Append(Path.Combine(Fixtures.RepoRoot, "README.md"))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && Path.GetExtension(f) is ".cs" or ".md" or ".sh" or ".py" or ".glsl" or ".vert" or ".frag")
            .Where(f => f != Path.Combine(Fixtures.RepoRoot, "tests", "RealtimeSeg.Tests", "Cli", "FirstTenMinutesTests.cs"))
            .Where(f => File.ReadAllText(f) is var t && (t.Contains("shared/", StringComparison.Ordinal) || t.Contains("DESIGN §", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(Fixtures.RepoRoot, f));
        Assert.Empty(offenders);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static int Luma(byte[] rgb, int width, int x, int y) => (rgb[(y * width + x) * 3] + rgb[(y * width + x) * 3 + 1] + rgb[(y * width + x) * 3 + 2]) / 3;

    private static byte[] DecodeFirstFrame(string file, int width, int height)
    {
        var psi = new ProcessStartInfo(TestClips.Tools.Ffmpeg) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-v", "error", "-i", file, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-" })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        using var buffer = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(buffer);
        p.WaitForExit();
        Assert.Equal(width * height * 3, (int)buffer.Length);
        return buffer.ToArray();
    }

}
