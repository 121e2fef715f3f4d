using System.Security.Cryptography;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Ffmpeg;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Processing;

namespace RealtimeSeg.Tests.Capture;

/// <summary>
/// Which streams the real FFmpeg hands over as YUV 4:2:0 planes and which as RGB, what the planes hold, the colour
/// tags they carry, and that the model sees the same picture either way.
/// </summary>
public sealed class YuvCaptureTests
{
    /// <summary>One decoded frame of <paramref name="path"/>, as capture delivers it.</summary>
    internal static Frame FirstFrame(string path, SourceOptions? options = null)
    {
        using var source = new FfmpegFrameSource(SourceSpec.Parse(path), options ?? SourceOptions.Default, TestClips.Tools);
        source.Open();
        using var pool = new FramePool();
        using var frame = source.Read(pool) ?? throw new InvalidOperationException($"no frame from {path}");
        // A copy outside the pool, so the source and pool can go.
        var copy = Frame.Allocate(frame.Width, frame.Height, frame.Format);
        frame.Pixels.CopyTo(copy.Pixels);
        copy.Color = frame.Color;
        return copy;
    }

    /// <summary>
    /// A 4-frame clip of the test pattern in <paramref name="pixFmt"/>: rawvideo in NUT (the exact planes, any format
    /// and size) or, for colour tags (which NUT drops), lossless H.264 in Matroska, which keeps them in the stream.
    /// </summary>
    private static string Clip(TempDir dir, string pixFmt, string size = "160x120", params string[] tags)
    {
        bool h264 = tags.Length > 0 || pixFmt == "yuvj420p";
        string path = dir.File($"{pixFmt}-{size}-{string.Concat(tags)}.{(h264 ? "mkv" : "nut")}");
        TestClips.Ffmpeg([
            "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-vf", $"scale={size.Replace('x', ':')}", "-frames:v", "4",
            .. h264 ? new[] { "-c:v", "libx264", "-qp", "0" } : ["-c:v", "rawvideo"], "-pix_fmt", pixFmt, .. tags, path]);
        return path;
    }

    private static string FfmpegFrameHash(string path, string pixFmt, int bytes) =>
        Convert.ToHexString(SHA256.HashData(TestClips.DecodeFirstFrame(path, pixFmt, bytes)));

    [Theory]
    [InlineData("yuv420p", true)]
    [InlineData("yuvj420p", true)]
    [InlineData("nv12", true)]
    [InlineData("yuv422p", false)]
    [InlineData("yuv444p", false)]
    [InlineData("yuv420p10le", false)]
    [InlineData("rgb24", false)]
    public void EachStreamFormatFallsOnItsPathWithFfmpegsOwnPixels(string pixFmt, bool yuv)
    {
        using var dir = Fixtures.TempDir();
        string clip = Clip(dir, pixFmt);
        using var frame = FirstFrame(clip);
        Assert.Equal(yuv ? PixelFormat.Yuv420 : PixelFormat.Rgb24, frame.Format);
        Assert.Equal((160, 120), (frame.Width, frame.Height));
        // The planes are FFmpeg's own 4:2:0 of the stream (nv12 interleaved chroma only split), or its RGB.
        string expected = yuv
            ? FfmpegFrameHash(clip, pixFmt == "yuvj420p" ? "yuvj420p" : "yuv420p", 160 * 120 * 3 / 2)
            : FfmpegFrameHash(clip, "rgb24", 160 * 120 * 3);
        Assert.Equal(expected, TestClips.Hash(frame));
        using var rgb = FirstFrame(clip, new SourceOptions { DecodeToRgb = true });
        Assert.Equal(PixelFormat.Rgb24, rgb.Format);
        Assert.Equal(FfmpegFrameHash(clip, "rgb24", 160 * 120 * 3), TestClips.Hash(rgb));
    }

    [Fact]
    public void OddSizesPicturesAndExpertArgumentsKeepTheRgbPath()
    {
        using var dir = Fixtures.TempDir();
        using (var odd = FirstFrame(Clip(dir, "yuv420p", "161x121")))
        {
            Assert.Equal((PixelFormat.Rgb24, 161), (odd.Format, odd.Width));
        }
        string png = dir.File("still.png");
        TestClips.Ffmpeg("-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", png);
        using (var still = FirstFrame(png))
        {
            Assert.Equal(PixelFormat.Rgb24, still.Format);
        }
        string clip = Clip(dir, "yuv420p");
        using (var expert = FirstFrame($"ffmpeg:-i {clip}"))
        {
            Assert.Equal(PixelFormat.Rgb24, expert.Format);
        }
        // A scale to an odd size cannot be 4:2:0 in our frames either.
        using var scaled = FirstFrame(clip, new SourceOptions { Width = 81, Height = 60 });
        Assert.Equal((PixelFormat.Rgb24, 81), (scaled.Format, scaled.Width));
    }

    [Theory]
    [InlineData("160x120", new string[0], YuvMatrix.Bt601, false)]
    [InlineData("1280x720", new string[0], YuvMatrix.Bt709, false)] // untagged HD: BT.709, as players assume
    [InlineData("160x120", new[] { "-colorspace", "bt709" }, YuvMatrix.Bt709, false)]
    [InlineData("1280x720", new[] { "-colorspace", "smpte170m" }, YuvMatrix.Bt601, false)]
    [InlineData("160x120", new[] { "-color_range", "pc" }, YuvMatrix.Bt601, true)]
    public void TheStreamsTagsSayHowItsPlanesMapToRgb(string size, string[] tags, YuvMatrix matrix, bool fullRange)
    {
        using var dir = Fixtures.TempDir();
        using var frame = FirstFrame(Clip(dir, "yuv420p", size, tags));
        Assert.Equal(PixelFormat.Yuv420, frame.Format);
        Assert.Equal(new YuvColor(matrix, fullRange), frame.Color);
    }

    [Fact]
    public void CamerasAreAskedFor420AndMjpegStaysFullRange()
    {
        var camera = SourceSpec.Parse("camera:0");
        Assert.Equal(new DecodeFormat(true, "yuv420p", YuvMatrix.Bt601), DecodeFormat.Choose(camera, SourceOptions.Default, new StreamInfo()));
        Assert.Equal("yuvj420p", DecodeFormat.Choose(camera, new SourceOptions { InputFormat = "mjpeg" }, new StreamInfo()).PixFmt);
        Assert.False(DecodeFormat.Choose(camera, new SourceOptions { DecodeToRgb = true }, new StreamInfo()).Yuv);
        Assert.False(DecodeFormat.Choose(SourceSpec.Parse("rtsp://cam/stream"), SourceOptions.Default, new StreamInfo { PixelFormat = "yuv420p", Width = 640, Height = 480 }).Yuv);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheModelSeesThePictureFfmpegConvertsToRgb(bool torchvisionEncoding)
    {
        var encoding = torchvisionEncoding ? InputEncoding.Rgb01 : InputEncoding.BgrMeanSubtracted;
        // An H.264 clip, as users have: the YUV path's tensor against the tensor of FFmpeg's own RGB conversion.
        using var yuv = FirstFrame(TestClips.Mp4);
        using var rgb = FirstFrame(TestClips.Mp4, new SourceOptions { DecodeToRgb = true });
        Assert.Equal((PixelFormat.Yuv420, PixelFormat.Rgb24), (yuv.Format, rgb.Format));
        var policy = new SizePolicy(160, 1000);
        var fromYuv = new InputTransform(yuv.Width, yuv.Height, yuv.Format, policy, encoding, 32);
        var fromRgb = new InputTransform(rgb.Width, rgb.Height, rgb.Format, policy, encoding, 32);
        var a = new float[3 * fromYuv.TensorWidth * fromYuv.TensorHeight];
        var b = new float[a.Length];
        fromYuv.Apply(yuv, a);
        fromRgb.Apply(rgb, b);
        float level = encoding == InputEncoding.Rgb01 ? 1f / 255 : 1f;
        var levels = a.Zip(b, (x, y) => Math.Abs(x - y) / level).Order().ToArray();
        double mean = levels.Average(), p99 = levels[(int)(levels.Length * 0.99)];
        // FFmpeg's converter rounds in fixed point and interpolates chroma at colour edges where ours takes the
        // 2x2 block's own: the same picture, a fraction of a level apart on average, a few levels at sharp edges.
        Assert.True(mean < 0.75 && p99 < 6, $"YUV path vs FFmpeg's RGB: mean {mean:0.00} levels, 99th percentile {p99:0.00}");
    }
}
