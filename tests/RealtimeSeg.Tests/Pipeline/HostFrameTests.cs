using System.Diagnostics;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Pipeline;

/// <summary>A host engine's own pixels through <see cref="HostFrameInput"/>: formats, strides, stamping, and what is drawn.</summary>
public sealed class HostFrameTests : IDisposable
{
    private readonly Runtime.Model.SegmentationModel _model = Fixtures.Open(Fixtures.DemoModel);

    public void Dispose() => _model.Dispose();

    /// <summary>The synthetic scene's frame <paramref name="index"/> as a host holds it: RGBA rows with padding.</summary>
    private static byte[] HostRgba(int index, int stride, InstanceSet truth)
    {
        var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Seed = 4 });
        scene.Skip(index);
        using var rgb = Frame.Allocate(640, 480, PixelFormat.Rgb24);
        scene.Render(rgb, truth);
        var rgba = new byte[stride * 480];
        for (int y = 0; y < 480; y++)
        {
            var src = rgb.Row(y);
            for (int x = 0; x < 640; x++)
            {
                rgba[y * stride + 4 * x] = src[3 * x];
                rgba[y * stride + 4 * x + 1] = src[3 * x + 1];
                rgba[y * stride + 4 * x + 2] = src[3 * x + 2];
                rgba[y * stride + 4 * x + 3] = 255;
            }
        }
        return rgba;
    }

    [Fact]
    public void RgbaHostFramesAreSegmentedWithIdsAndCaptureTimesStamped()
    {
        const int stride = 640 * 4 + 64; // an engine's padded rows
        using var input = new HostFrameInput();
        using var pipeline = new InferencePipeline(_model, input, new PipelineOptions { Lossless = true });
        pipeline.Start();
        var truths = new List<InstanceSet>();
        int matched = 0, total = 0;
        long previousId = 0;
        for (int i = 0; i < 6; i++)
        {
            var truth = new InstanceSet(SyntheticShapesSource.ClassLabels);
            long published = input.Publish(HostRgba(i * 10, stride, truth), 640, 480, stride, PixelFormat.Rgba32);
            truths.Add(truth);
            Assert.Equal(i + 1, published);
            Assert.NotEqual(WaitOutcome.Ended, pipeline.Results.Wait(TimeSpan.FromSeconds(30), out var result));
            using (result)
            {
                Assert.NotNull(result);
                Assert.Equal(published, result.Frame.Id);
                Assert.True(result.Frame.Id > previousId);
                previousId = result.Frame.Id;
                Assert.Equal(PixelFormat.Rgba32, result.Frame.Format);
                Assert.InRange(result.Latency.TotalMilliseconds, 0.1, 5000); // from the stamped capture time
                total += truth.Count;
                matched += Enumerable.Range(0, truth.Count).Count(g => Enumerable.Range(0, result.Instances.Count).Any(p =>
                    result.Instances.ClassIds[p] == truth.ClassIds[g] && BoxF.Iou(result.Instances.Boxes[p], truth.Boxes[g]) >= 0.7f));
            }
        }
        Assert.True(matched >= 0.85 * total, $"{matched} of {total} ground-truth boxes found in RGBA host frames");
        input.Complete();
        Assert.Equal(WaitOutcome.Ended, pipeline.Results.Wait(TimeSpan.FromSeconds(10), out _));
    }

    [Fact]
    public void YuvHostFramesAreSegmentedLikeTheirRgb()
    {
        // The scene's frame as a decoder hands it over (BT.601 limited, padded luma rows), and as RGBA.
        const int stride = 640 + 32;
        var truth = new InstanceSet(SyntheticShapesSource.ClassLabels);
        var rgba = HostRgba(20, 640 * 4, truth);
        var planes = new byte[stride * 480 * 3 / 2];
        for (int y = 0; y < 480; y++)
        {
            for (int x = 0; x < 640; x++)
            {
                int i = y * 640 * 4 + 4 * x;
                double r = rgba[i], g = rgba[i + 1], b = rgba[i + 2];
                planes[y * stride + x] = (byte)Math.Round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
                if (x % 2 == 0 && y % 2 == 0)
                {
                    int c = stride * 480 + y / 2 * (stride / 2) + x / 2;
                    planes[c] = (byte)Math.Round(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255);
                    planes[c + stride / 2 * 240] = (byte)Math.Round(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255);
                }
            }
        }
        using var input = new HostFrameInput();
        using var pipeline = new InferencePipeline(_model, input, new PipelineOptions { Lossless = true });
        pipeline.Start();
        var boxes = new List<(int Class, BoxF Box)>[2];
        for (int pass = 0; pass < 2; pass++)
        {
            long id = pass == 0 ? input.PublishYuv420(planes, 640, 480, stride, new YuvColor(YuvMatrix.Bt601, false))
                : input.Publish(rgba, 640, 480, 640 * 4, PixelFormat.Rgba32);
            Assert.NotEqual(WaitOutcome.Ended, pipeline.Results.Wait(TimeSpan.FromSeconds(30), out var result));
            using (result)
            {
                Assert.Equal(id, result!.Frame.Id);
                Assert.Equal(pass == 0 ? PixelFormat.Yuv420 : PixelFormat.Rgba32, result.Frame.Format);
                boxes[pass] = Enumerable.Range(0, result.Instances.Count).Select(k => (result.Instances.ClassIds[k], result.Instances.Boxes[k])).ToList();
            }
        }
        Assert.True(truth.Count >= 3 && boxes[1].Count >= truth.Count - 1, $"{boxes[1].Count} found of {truth.Count}");
        Assert.Equal(boxes[1].Count, boxes[0].Count);
        Assert.All(boxes[0], found => Assert.Contains(boxes[1], other => other.Class == found.Class && BoxF.Iou(other.Box, found.Box) >= 0.9f));
        Assert.Throws<ArgumentException>(() => input.PublishYuv420(planes, 641, 480, stride));
        Assert.Throws<ArgumentException>(() => input.PublishYuv420(planes, 640, 480, 639));
        Assert.Throws<ArgumentException>(() => input.PublishYuv420(planes.AsSpan(0, 1000), 640, 480, stride));
        input.Complete();
    }

    [Fact]
    public unsafe void PointersStridesAndFormatsAreCheckedAndCopied()
    {
        using var input = new HostFrameInput();
        var bgr = new byte[(8 * 3 + 5) * 4];
        bgr[0] = 10; bgr[1] = 20; bgr[2] = 30; // first pixel: B, G, R
        fixed (byte* p = bgr)
        {
            input.Publish(p, 8, 4, 8 * 3 + 5, PixelFormat.Bgr24, captureTimestamp: 12345);
        }
        bgr[0] = 99; // the host's buffer is free once Publish returns
        Assert.Equal(WaitOutcome.Item, input.Wait(TimeSpan.FromSeconds(1), out var frame));
        using (frame)
        {
            Assert.Equal((8, 4, PixelFormat.Bgr24, 12345L, 1L), (frame!.Width, frame.Height, frame.Format, frame.Timestamp, frame.Id));
            Assert.Equal([10, 20, 30], frame.Row(0)[..3].ToArray());
        }
        Assert.Contains("stride 10 is less than a row", Assert.Throws<ArgumentException>(() => input.Publish(new byte[100], 4, 2, 10, PixelFormat.Rgba32)).Message, StringComparison.Ordinal);
        Assert.Contains("cannot hold 3 rows", Assert.Throws<ArgumentException>(() => input.Publish(new byte[40], 4, 3, 16, PixelFormat.Rgba32)).Message, StringComparison.Ordinal);
        Assert.Contains("RGBA, BGRA, RGB or BGR", Assert.Throws<ArgumentException>(() => input.Publish(new byte[16], 4, 4, 4, PixelFormat.Gray8)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARepublishedPoolFrameIsNeverDrawnWithTheLastFramesPixels()
    {
        // A pooled frame comes back with id 0 and new pixels: the upload skip must not take it for the last one.
        using var context = new EglContext();
        using var overlay = new OverlayRenderer(context.Gl);
        using var target = new OffscreenTarget(context.Gl, 16, 16);
        using var pool = new FramePool();
        using var image = Frame.Allocate(16, 16, PixelFormat.Bgra32);
        var none = new InstanceSet(new LabelMap(["background"], "test"));
        target.Bind();
        foreach (var (rgba, expected) in new[] { ((byte)200, (byte)0), ((byte)0, (byte)200) })
        {
            var frame = pool.Rent(16, 16, PixelFormat.Rgba32);
            for (int y = 0; y < 16; y++)
            {
                var row = frame.Row(y);
                for (int x = 0; x < 16; x++)
                {
                    (row[4 * x], row[4 * x + 1], row[4 * x + 2], row[4 * x + 3]) = (rgba, 0, expected, 255); // red, then blue
                }
            }
            overlay.Draw(frame, none, target.Viewport);
            target.ReadPixels(image);
            Assert.Equal((rgba, expected), (image.Row(8)[4 * 8 + 2], image.Row(8)[4 * 8])); // BGRA readback: R then B; RGBA is not swapped
            frame.Dispose(); // back to the pool: the next Rent hands out the same object
        }
        Assert.Equal(1, pool.Created);
    }
}
