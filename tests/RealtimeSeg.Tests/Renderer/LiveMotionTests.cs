using System.Diagnostics;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Structures;
using RealtimeSeg.Runtime.Tracking;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>
/// Live mode's motion: a tracked instance's box and mask drawn ahead along its velocity, on the GPU exactly where
/// <see cref="InstanceSet.PredictedMask"/> (the results file, bench-live) puts it, for raw and full-resolution masks.
/// </summary>
public sealed class LiveMotionTests : IDisposable
{
    private static readonly BoxVelocity Velocity = new(120, -60, 20, 10); // px/s: right, up, growing

    private readonly EglContext _context = new();

    public void Dispose() => _context.Dispose();

    /// <summary>The model's instances on one scene, every one given <see cref="Velocity"/> and a track id.</summary>
    private static (Frame Frame, InstanceSet Instances) MovingScene(string modelFile)
    {
        using var model = Fixtures.Open(Path.Combine(Fixtures.RepoRoot, "models", modelFile));
        using var slot = model.CreateSlot();
        var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Width = 640, Height = 480, Seed = 12 });
        scene.Skip(25);
        var frame = Frame.Allocate(640, 480, PixelFormat.Rgb24);
        scene.Render(frame, new InstanceSet(SyntheticShapesSource.ClassLabels));
        var instances = model.CreateInstanceSet();
        slot.Segment(frame, instances);
        var ids = instances.WritableTrackIds();
        var velocities = instances.WritableVelocities();
        for (int i = 0; i < instances.Count; i++)
        {
            (ids[i], velocities[i]) = (i + 1, Velocity);
        }
        return (frame, instances);
    }

    private static readonly OverlayOptions MaskOnly = new()
    {
        Frame = false, Boxes = false, Labels = false, Outlines = false, MaskAlpha = 1f, Colours = ColourMode.PerClass, Palette = [0xFFFFFF],
    };

    private static float Iou(bool[,] gpu, MaskBitmap cpu)
    {
        int both = 0, either = 0;
        for (int y = 0; y < gpu.GetLength(1); y++)
        {
            for (int x = 0; x < gpu.GetLength(0); x++)
            {
                bool c = cpu[x, y];
                both += c && gpu[x, y] ? 1 : 0;
                either += c || gpu[x, y] ? 1 : 0;
            }
        }
        return either == 0 ? 1f : (float)both / either;
    }

    private static (double X, double Y) Centroid(MaskBitmap mask)
    {
        double sx = 0, sy = 0;
        int n = 0;
        for (int y = mask.Bounds.Y0; y < mask.Bounds.Y1; y++)
        {
            for (int x = mask.Bounds.X0; x < mask.Bounds.X1; x++)
            {
                if (mask[x, y])
                {
                    (sx, sy, n) = (sx + x, sy + y, n + 1);
                }
            }
        }
        return (sx / n, sy / n);
    }

    [Theory]
    [InlineData("shapes_maskrcnn.onnx")]        // raw 28x28 masks: pasted into the moved box
    [InlineData("shapes_maskrcnn_pasted.onnx")] // full-resolution masks: moved and scaled with the box
    public void MasksMoveAlongTheirVelocityOnTheGpuAsOnTheCpu(string modelFile)
    {
        var (frame, instances) = MovingScene(modelFile);
        using var _ = frame;
        using var overlay = new OverlayRenderer(_context.Gl);
        using var target = new OffscreenTarget(_context.Gl, 640, 480);
        using var image = Frame.Allocate(640, 480, PixelFormat.Bgra32);
        const double ahead = 0.25;
        int compared = 0;
        for (int k = 0; k < instances.Count; k++)
        {
            var one = instances.Where(i => i == k);
            var still = one.Mask(0);
            var moved = one.PredictedMask(0, ahead, new MaskBitmap());
            if (still.PixelCount < 200 || moved.Bounds.X1 >= 640 || moved.Bounds.Y0 <= 0)
            {
                continue; // tiny, or moved across the frame's edge: the centroid would not follow the box
            }
            // The CPU mask moved by the velocity: centre 30 px right, 15 px up (size growth keeps the centre).
            var (x0, y0) = Centroid(still);
            var (x1, y1) = Centroid(moved);
            Assert.InRange(x1 - x0, Velocity.CentreX * ahead - 2, Velocity.CentreX * ahead + 2);
            Assert.InRange(y1 - y0, Velocity.CentreY * ahead - 2, Velocity.CentreY * ahead + 2);
            Assert.True(moved.PixelCount > still.PixelCount, "the box grows, so the mask grows with it");

            target.Clear();
            overlay.Draw(frame, one, target.Viewport, MaskOnly, default, -1, ahead);
            float iou = Iou(CoveredPixels.Read(target, image), moved);
            Assert.True(iou >= 0.98f, $"{modelFile}: instance {k} moved GPU mask against the CPU's: IoU {iou:0.000}");
            compared++;
        }
        Assert.True(compared >= 3, $"only {compared} instances compared");
    }

    [Fact]
    public void ALiveDrawMovesTheResultToTheFramesCaptureTimeUnlessMotionIsOff()
    {
        var (frame, instances) = MovingScene("shapes_maskrcnn.onnx");
        using var _ = frame;
        frame.Timestamp = Stopwatch.GetTimestamp();
        using var result = SegmentationResult.Create(frame, instances);
        Assert.True(result.Instances.IsTracked); // the copy keeps ids and velocities
        using var later = Frame.Allocate(640, 480, PixelFormat.Rgb24);
        later.Timestamp = frame.Timestamp + Stopwatch.Frequency / 5; // 200 ms on
        using var overlay = new OverlayRenderer(_context.Gl);
        using var target = new OffscreenTarget(_context.Gl, 640, 480);
        using var image = Frame.Allocate(640, 480, PixelFormat.Bgra32);

        bool[,] Draw(Action draw)
        {
            target.Clear();
            draw();
            return CoveredPixels.Read(target, image);
        }
        var live = Draw(() => overlay.Draw(later, result, target.Viewport, MaskOnly));
        var explicitMotion = Draw(() => overlay.Draw(frame, instances, target.Viewport, MaskOnly, default, -1, 0.2));
        var hostPicture = Draw(() => overlay.Draw(result, later.Timestamp, target.Viewport, MaskOnly)); // a host's own picture, its capture time
        var unmoved = Draw(() => overlay.Draw(later, result, target.Viewport, MaskOnly with { Motion = false }));
        var sync = Draw(() => overlay.Draw(result, target.Viewport, MaskOnly));
        Assert.Equal(Count(explicitMotion), Count(live));
        Assert.Equal(0, Differing(live, explicitMotion));
        Assert.Equal(0, Differing(hostPicture, explicitMotion));
        Assert.Equal(0, Differing(unmoved, sync));
        Assert.True(Differing(live, sync) > 500, "the live draw should have moved the masks");

        // Never further than MaxMotionSeconds: a result 2 s old is drawn as if 0.5 s old.
        later.Timestamp = frame.Timestamp + 2 * Stopwatch.Frequency;
        var capped = Draw(() => overlay.Draw(later, result, target.Viewport, MaskOnly));
        var halfSecond = Draw(() => overlay.Draw(frame, instances, target.Viewport, MaskOnly, default, -1, 0.5));
        Assert.Equal(0, Differing(capped, halfSecond));
    }

    [Fact]
    public void TheTrackerGivesAStraightLineItsVelocityAndNewTracksNone()
    {
        var labels = new LabelMap(["background", "a"], "test");
        var tracker = new InstanceTracker();
        InstanceSet At(float x) => InstanceSet.FromDetections(640, 480, labels, [new BoxF(x, 100, x + 40, 140)], [0.9f], [1]);
        var ids = new int[1];
        var velocities = new BoxVelocity[1];
        tracker.Update(At(10), 0, ids, velocities);
        Assert.True(velocities[0].IsZero); // one sighting says nothing about speed
        for (int i = 1; i <= 10; i++)
        {
            tracker.Update(At(10 + 20 * i), i * 0.2, ids, velocities); // 100 px/s to the right
        }
        Assert.InRange(velocities[0].CentreX, 90, 110);
        Assert.InRange(velocities[0].CentreY, -5, 5);
        Assert.InRange(velocities[0].Width, -5, 5);
        var set = At(210);
        velocities.CopyTo(set.WritableVelocities());
        var predicted = set.PredictedBox(0, 0.5);
        Assert.InRange(predicted.X1, 210 + 50 - 6, 210 + 50 + 6);
    }

    private static int Count(bool[,] a) => a.Cast<bool>().Count(v => v);

    private static int Differing(bool[,] a, bool[,] b)
    {
        int n = 0;
        for (int y = 0; y < a.GetLength(1); y++)
        {
            for (int x = 0; x < a.GetLength(0); x++)
            {
                n += a[x, y] != b[x, y] ? 1 : 0;
            }
        }
        return n;
    }
}
