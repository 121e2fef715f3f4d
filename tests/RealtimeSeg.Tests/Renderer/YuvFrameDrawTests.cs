using RealtimeSeg.Capture;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;
using RealtimeSeg.Tests.Capture;
using RealtimeSeg.Tests.Cli;
using RealtimeSeg.Tests.Processing;
using PixelFormat = RealtimeSeg.Runtime.Imaging.PixelFormat;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>
/// A YUV 4:2:0 frame drawn by the frame shader (three one-channel textures, converted on the GPU) looks like the
/// same frame converted to RGB first; and a recording made through the YUV capture path looks like one made
/// through the RGB path.
/// </summary>
public sealed class YuvFrameDrawTests : IDisposable
{
    private readonly EglContext _context = new(debug: true);

    public void Dispose() => _context.Dispose();

    private Frame Draw(Frame frame, bool pixelBuffers)
    {
        using var overlay = new OverlayRenderer(_context.Gl);
        using var target = new OffscreenTarget(_context.Gl, frame.Width, frame.Height);
        var nothing = new InstanceSet(new LabelMap(["background", "thing"], "test"));
        nothing.Reset(frame.Width, frame.Height, MaskKind.Bitmap);
        var image = Frame.Allocate(frame.Width, frame.Height, PixelFormat.Bgra32);
        target.Bind();
        overlay.Draw(frame, nothing, target.Viewport, new OverlayOptions { UsePixelBuffers = pixelBuffers });
        target.ReadPixels(image);
        return image;
    }

    /// <summary>Mean and 99th percentile of |a - b| over every colour channel of two BGRA pictures.</summary>
    private static (double Mean, int P99) Difference(Frame a, Frame b)
    {
        var diffs = new List<int>(a.Width * a.Height * 3);
        for (int y = 0; y < a.Height; y++)
        {
            var ra = a.Row(y);
            var rb = b.Row(y);
            for (int i = 0; i < ra.Length; i++)
            {
                if (i % 4 != 3)
                {
                    diffs.Add(Math.Abs(ra[i] - rb[i]));
                }
            }
        }
        diffs.Sort();
        return (diffs.Average(), diffs[(int)(diffs.Count * 0.99)]);
    }

    [Theory]
    [InlineData(YuvMatrix.Bt601, false, false)]
    [InlineData(YuvMatrix.Bt709, false, true)]
    [InlineData(YuvMatrix.Bt709, true, false)]
    public void TheShaderConvertsThePlanesWithTheFramesMatrixAndRange(YuvMatrix matrix, bool fullRange, bool pixelBuffers)
    {
        // Smooth planes (as pictures are): the shader's filtered chroma and the reference's 2x2 chroma then agree.
        const int W = 96, H = 64;
        var bytes = new byte[W * H * 3 / 2];
        for (int y = 0; y < H; y++)
        {
            for (int x = 0; x < W; x++)
            {
                bytes[y * W + x] = (byte)(16 + 2 * x);
            }
        }
        for (int cy = 0; cy < H / 2; cy++)
        {
            for (int cx = 0; cx < W / 2; cx++)
            {
                bytes[W * H + cy * W / 2 + cx] = (byte)(64 + 4 * cy);
                bytes[W * H * 5 / 4 + cy * W / 2 + cx] = (byte)(200 - 2 * cx);
            }
        }
        using var yuv = Frame.Wrap(bytes, W, H, PixelFormat.Yuv420);
        yuv.Color = new YuvColor(matrix, fullRange);
        using var reference = YuvInputTests.ReferenceRgb(yuv);
        using var drawnYuv = Draw(yuv, pixelBuffers);
        using var drawnRgb = Draw(reference, pixelBuffers);
        var (mean, p99) = Difference(drawnYuv, drawnRgb);
        Assert.True(mean < 1.5 && p99 <= 4, $"{matrix} {(fullRange ? "full" : "limited")}: drawn YUV vs RGB mean {mean:0.00}, 99th percentile {p99}");
        // And the matrix matters: drawn as the other one, the picture is visibly off.
        yuv.Color = new YuvColor(matrix == YuvMatrix.Bt601 ? YuvMatrix.Bt709 : YuvMatrix.Bt601, fullRange);
        yuv.Id++;
        using var wrong = Draw(yuv, pixelBuffers);
        Assert.True(Difference(wrong, drawnRgb).Mean > 3 * mean + 1, "the frame's matrix makes no difference to the picture");
    }

    [Fact]
    public void AFileDecodedAsYuvDrawsAsFfmpegsRgbConversion()
    {
        Frame First(SourceOptions options)
        {
            using var frame = YuvCaptureTests.FirstFrame(TestClips.Mp4, options);
            return Draw(frame, pixelBuffers: true);
        }
        using var viaYuv = First(SourceOptions.Default);
        using var viaRgb = First(new SourceOptions { DecodeToRgb = true });
        var (mean, p99) = Difference(viaYuv, viaRgb);
        Assert.True(mean < 1.5 && p99 <= 8, $"drawn from the YUV path vs FFmpeg's RGB: mean {mean:0.00}, 99th percentile {p99}");
    }

    [Fact]
    public void ARecordingThroughTheYuvPathMatchesOneThroughTheRgbPath()
    {
        // The demo's validation scenes as an H.264 clip: pictures the model knows, so its results mean something.
        using var dir = Fixtures.TempDir();
        string clip = dir.File("scenes.mp4");
        TestClips.Ffmpeg("-v", "error", "-y", "-framerate", "4", "-i", Path.Combine(Fixtures.DemoDir, "images", "val", "%06d.png"),
            "-vf", "loop=1:4:0", "-c:v", "libx264", "-pix_fmt", "yuv420p", clip);
        foreach (var (path, extra) in new[] { ("yuv", Array.Empty<string>()), ("rgb", new[] { "--rgb-decode" }) })
        {
            // The frames alone, pixel for pixel; then the overlay's results, instance by instance.
            string[] common = ["record", "-m", Fixtures.DemoModel, "-s", clip, "--lossless", .. extra];
            var plain = CliRunner.Run([.. common, "-o", dir.File($"{path}-plain.mkv"), "--no-masks", "--no-boxes", "--no-labels"]);
            Assert.True(plain.ExitCode == 0, plain.Stderr);
            var drawn = CliRunner.Run([.. common, "-o", dir.File($"{path}.mkv"), "--results", dir.File($"{path}.jsonl")]);
            Assert.True(drawn.ExitCode == 0, drawn.Stderr);
        }
        byte[] yuv = TestClips.Decode(dir.File("yuv-plain.mkv"), "rgb24"), rgb = TestClips.Decode(dir.File("rgb-plain.mkv"), "rgb24");
        Assert.Equal(320 * 240 * 3 * 8, yuv.Length);
        Assert.Equal(rgb.Length, yuv.Length);
        var diffs = yuv.Zip(rgb, (a, b) => Math.Abs(a - b)).Order().ToArray();
        double mean = diffs.Average();
        int p99 = diffs[(int)(diffs.Length * 0.99)];
        // Both files are lossy H.264 of a noisy scene, so each carries its own encoder noise (about 45 dB PSNR
        // apart); a wrong matrix or range, or a shifted plane, puts them tens of levels apart.
        Assert.True(mean < 2.5 && p99 <= 10, $"YUV-path recording vs RGB-path recording: mean {mean:0.00} levels, 99th percentile {p99}");

        var yuvResults = File.ReadAllLines(dir.File("yuv.jsonl"));
        var rgbResults = File.ReadAllLines(dir.File("rgb.jsonl"));
        Assert.Equal(8, yuvResults.Length);
        Assert.Equal(rgbResults.Length, yuvResults.Length);
        int instances = 0;
        foreach (var (a, b) in yuvResults.Zip(rgbResults))
        {
            var fromYuv = Instances(a);
            var fromRgb = Instances(b);
            Assert.Equal(fromRgb.Count, fromYuv.Count);
            foreach (var x in fromYuv)
            {
                // The same object, found the same way: class, box within 3 pixels, mask area within 15 %, score within
                // 0.05 (the model's input differs by the converters' rounding, a level here and there).
                var y = fromRgb.MinBy(r => Math.Abs(r.Box[0] - x.Box[0]) + Math.Abs(r.Box[1] - x.Box[1]))!;
                Assert.Equal(y.Class, x.Class);
                Assert.All(x.Box.Zip(y.Box), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 3.0));
                Assert.InRange(x.Area, y.Area * 0.85, y.Area * 1.15);
                Assert.InRange(Math.Abs(x.Score - y.Score), 0, 0.05);
                instances++;
            }
        }
        Assert.True(instances >= 16, $"only {instances} instances in 8 frames of the demo's scenes");
    }

    private sealed record Found(string Class, double Score, double[] Box, double Area);

    private static List<Found> Instances(string line)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        return doc.RootElement.GetProperty("instances").EnumerateArray().Select(i => new Found(
            i.GetProperty("class").GetString()!, i.GetProperty("score").GetDouble(),
            i.GetProperty("box").EnumerateArray().Select(v => v.GetDouble()).ToArray(), i.GetProperty("area").GetDouble())).ToList();
    }
}
