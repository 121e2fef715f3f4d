using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Ffmpeg;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Tests.Cli;

namespace RealtimeSeg.Tests.Capture;

/// <summary>
/// Video files decoded inside the process by Debian's FFmpeg 5.1 libraries: the struct offsets read against the
/// installed headers, the frames against the ffmpeg tool's own decode and the pipe path's, and which files and
/// options take which path.
/// </summary>
public sealed class LibavDecoderTests
{
    private static List<string> Hashes(string path, SourceOptions options, out string pixelPath)
    {
        var source = new FfmpegFrameSource(SourceSpec.Parse(path), options, TestClips.Tools);
        using var loop = new CaptureLoop(source, new CaptureOptions { Pacing = Pacing.Lossless });
        loop.Start();
        var hashes = new List<string>();
        while (loop.Frames.Wait(TimeSpan.FromSeconds(30), out var frame) == Runtime.Frames.WaitOutcome.Item)
        {
            using (frame)
            {
                Assert.Equal(PixelFormat.Yuv420, frame!.Format);
                hashes.Add(TestClips.Hash(frame));
            }
        }
        Assert.Equal(CaptureState.Ended, loop.Status.State);
        pixelPath = source.PixelPath;
        return hashes;
    }

    [Fact]
    public void TheOffsetsReadAreTheInstalledHeadersOffsets()
    {
        Assert.Null(Libav.Probe()); // Debian 12's libavformat59 is what the bootstrap installs with ffmpeg
        using var dir = Fixtures.TempDir();
        string program = dir.File("offsets.c");
        File.WriteAllText(program, """
            #include <stdio.h>
            #include <stddef.h>
            #include <libavformat/avformat.h>
            #include <libavcodec/avcodec.h>
            #define P(name, value) printf("%s %ld\n", name, (long)(value))
            int main(void) {
                P("FormatContextStreams", offsetof(AVFormatContext, streams));
                P("StreamCodecParameters", offsetof(AVStream, codecpar));
                P("ParametersFormat", offsetof(AVCodecParameters, format));
                P("ParametersWidth", offsetof(AVCodecParameters, width));
                P("ParametersHeight", offsetof(AVCodecParameters, height));
                P("PacketStreamIndex", offsetof(AVPacket, stream_index));
                P("FrameData", offsetof(AVFrame, data));
                P("FrameLinesize", offsetof(AVFrame, linesize));
                P("FrameWidth", offsetof(AVFrame, width));
                P("FrameHeight", offsetof(AVFrame, height));
                P("FrameFormat", offsetof(AVFrame, format));
                P("PixelFormatYuv420P", AV_PIX_FMT_YUV420P);
                P("PixelFormatYuvj420P", AV_PIX_FMT_YUVJ420P);
                P("MediaTypeVideo", AVMEDIA_TYPE_VIDEO);
                P("ErrorAgain", AVERROR(EAGAIN));
                P("ErrorEof", AVERROR_EOF);
                P("FormatMajor", LIBAVFORMAT_VERSION_MAJOR);
                P("CodecMajor", LIBAVCODEC_VERSION_MAJOR);
                P("UtilMajor", LIBAVUTIL_VERSION_MAJOR);
                return 0;
            }
            """);
        CliRunner.RunProgram("gcc", ["-std=c11", "-Wall", "-Werror", program, "-o", dir.File("offsets")]);
        var printed = CliRunner.RunProgram(dir.File("offsets"), []).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        var ours = new Dictionary<string, long>
        {
            ["FormatContextStreams"] = Libav.Offsets.FormatContextStreams,
            ["StreamCodecParameters"] = Libav.Offsets.StreamCodecParameters,
            ["ParametersFormat"] = Libav.Offsets.ParametersFormat,
            ["ParametersWidth"] = Libav.Offsets.ParametersWidth,
            ["ParametersHeight"] = Libav.Offsets.ParametersHeight,
            ["PacketStreamIndex"] = Libav.Offsets.PacketStreamIndex,
            ["FrameData"] = Libav.Offsets.FrameData,
            ["FrameLinesize"] = Libav.Offsets.FrameLinesize,
            ["FrameWidth"] = Libav.Offsets.FrameWidth,
            ["FrameHeight"] = Libav.Offsets.FrameHeight,
            ["FrameFormat"] = Libav.Offsets.FrameFormat,
            ["PixelFormatYuv420P"] = Libav.PixelFormatYuv420P,
            ["PixelFormatYuvj420P"] = Libav.PixelFormatYuvj420P,
            ["MediaTypeVideo"] = Libav.MediaTypeVideo,
            ["ErrorAgain"] = Libav.ErrorAgain,
            ["ErrorEof"] = Libav.ErrorEof,
            ["FormatMajor"] = Libav.FormatMajor,
            ["CodecMajor"] = Libav.CodecMajor,
            ["UtilMajor"] = Libav.UtilMajor,
        };
        Assert.Equal(printed.OrderBy(p => p.Key), ours.OrderBy(p => p.Key));
    }

    [Fact]
    public void AFileDecodedInProcessIsTheFfmpegToolsDecodeAndThePipesFrameForFrame()
    {
        var reference = TestClips.ReferenceFrameHashes(TestClips.Mp4);
        Assert.Equal(TestClips.Frames, reference.Count);
        var inProcess = Hashes(TestClips.Mp4, SourceOptions.Default, out string path);
        Assert.StartsWith("yuv420p planes (Bt601), decoded in process by libavcodec 59.", path, StringComparison.Ordinal);
        var piped = Hashes(TestClips.Mp4, new SourceOptions { DecodeThroughPipe = true }, out string pipePath);
        Assert.Equal("yuv420p planes (Bt601)", pipePath);
        Assert.Equal(reference, inProcess);
        Assert.Equal(reference, piped);
    }

    [Fact]
    public void EveryNthFrameIsTheSameFramesThePipesSelectGives()
    {
        var reference = TestClips.ReferenceFrameHashes(TestClips.Mkv);
        var inProcess = Hashes(TestClips.Mkv, new SourceOptions { Stride = 3 }, out string path);
        Assert.Contains("decoded in process", path, StringComparison.Ordinal);
        Assert.Equal(reference.Where((_, i) => i % 3 == 0).ToList(), inProcess);
        Assert.Equal(inProcess, Hashes(TestClips.Mkv, new SourceOptions { Stride = 3, DecodeThroughPipe = true }, out _));
    }

    [Theory]
    [InlineData("size")]
    [InlineData("realtime")]
    [InlineData("rgb")]
    public void WhatNeedsFfmpegsFiltersOrPacingKeepsThePipe(string what)
    {
        var options = what switch
        {
            "size" => new SourceOptions { Width = 160, Height = 120 },
            "realtime" => new SourceOptions { Realtime = true },
            _ => new SourceOptions { DecodeToRgb = true },
        };
        using var source = new FfmpegFrameSource(SourceSpec.Parse(TestClips.Mp4), options, TestClips.Tools);
        source.Open();
        using var pool = new FramePool();
        using var frame = source.Read(pool);
        Assert.NotNull(frame);
        Assert.DoesNotContain("in process", source.PixelPath, StringComparison.Ordinal);
        Assert.NotNull(source.CommandLine);
    }

    [Fact]
    public void AStreamThatIsNot420PlanarFallsBackToThePipeWhichConvertsIt()
    {
        using var dir = Fixtures.TempDir();
        string nv12 = dir.File("nv12.nut");
        TestClips.Ffmpeg("-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-frames:v", "3", "-c:v", "rawvideo", "-pix_fmt", "nv12", nv12);
        using var source = new FfmpegFrameSource(SourceSpec.Parse(nv12), SourceOptions.Default, TestClips.Tools);
        source.Open();
        Assert.Equal("yuv420p planes (Bt601)", source.PixelPath);
        using var pool = new FramePool();
        using var frame = source.Read(pool);
        Assert.Equal(TestClips.DecodeFirstFrame(nv12, "yuv420p", 160 * 120 * 3 / 2), frame!.Pixels.ToArray());
    }

    [Fact]
    public void InterruptEndsAFileMidway()
    {
        using var source = new FfmpegFrameSource(SourceSpec.Parse(TestClips.Mp4), SourceOptions.Default, TestClips.Tools);
        source.Open();
        Assert.Contains("in process", source.PixelPath, StringComparison.Ordinal);
        using var pool = new FramePool();
        source.Read(pool)!.Dispose();
        source.Interrupt();
        Assert.Null(source.Read(pool));
        Assert.Equal("stopped", source.EndReason);
    }

    [Fact]
    public void ACutFileEndsAtItsLastGoodFrameWithFfmpegsWordsAndNothingOnStderr()
    {
        var reference = TestClips.ReferenceFrameHashes(TestClips.Mkv);
        using var source = new FfmpegFrameSource(SourceSpec.Parse(TestClips.TruncatedMkv), SourceOptions.Default, TestClips.Tools);
        source.Open();
        Assert.Contains("in process", source.PixelPath, StringComparison.Ordinal);
        using var pool = new FramePool();
        var hashes = new List<string>();
        while (source.Read(pool) is { } frame)
        {
            using (frame)
            {
                hashes.Add(TestClips.Hash(frame));
            }
        }
        Assert.InRange(hashes.Count, 1, TestClips.Frames - 1);
        Assert.Equal(reference.Take(hashes.Count), hashes);
        Assert.Contains("File ended prematurely", source.EndReason, StringComparison.Ordinal);

        // The demuxer's log line is the source's end reason, not a stray line among the CLI's own.
        using var dir = Fixtures.TempDir();
        var record = CliRunner.Run(["record", "-m", Fixtures.DemoModel, "-s", TestClips.TruncatedMkv, "-o", dir.File("out.mp4")]);
        Assert.True(record.ExitCode == 0, record.Stderr);
        Assert.DoesNotContain("File ended prematurely", record.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("matroska", record.Stdout + record.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50, null)]
    [InlineData(46, null)]  // within a tenth: a variable rate, or a duration that counts the last frame's length
    [InlineData(22, "the file ended after 22 of about 50 frames (0.88 s of 2.0 s): it looks cut short")]
    public void AFileFarShortOfItsDurationIsSaidToBeCut(long decoded, string? reason)
    {
        var info = new StreamInfo { Fps = 25, Duration = TimeSpan.FromSeconds(2) };
        Assert.Equal(reason, FfmpegFrameSource.EndedShort(info, decoded));
        Assert.Null(FfmpegFrameSource.EndedShort(new StreamInfo { Fps = 25 }, decoded)); // no duration: nothing to compare
    }

    [Fact]
    public void BenchDecodeMeasuresEveryPathOnTheSameFrames()
    {
        var r = CliRunner.Run(["bench-decode", "--source", TestClips.Mp4, "--repeat", "1", "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(r.Stdout);
        var root = json.RootElement;
        Assert.Equal(TestClips.Frames, root.GetProperty("frames").GetInt64()); // and the command checks the other four agree
        Assert.StartsWith("yuv420p planes (Bt601), decoded in process", root.GetProperty("pixelPath").GetString(), StringComparison.Ordinal);
        Assert.Equal("yuv420p planes (Bt601)", root.GetProperty("pipePixelPath").GetString());
        foreach (string key in new[] { "ratio.fps", "ratio.cpu", "ratio.pipeFps", "ratio.pipeCpu", "capturePipe.fps" })
        {
            Assert.True(root.GetProperty(key).GetDouble() > 0, key);
        }
    }
}
