using RealtimeSeg.Capture;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.Tests.Pipeline;

/// <summary>The display tap beside the pipeline's input: every frame for a recorder, the newest for a viewer, never blocking the producer.</summary>
public sealed class FrameTapTests
{
    private static Frame Rent(FramePool pool, long id)
    {
        var frame = pool.Rent(8, 8, PixelFormat.Rgb24);
        frame.Id = id;
        return frame;
    }

    [Fact]
    public void FramesComeOutInOrderAndTheOldestDropWhenTheReaderFallsBehind()
    {
        using var pool = new FramePool();
        var tap = new FrameTap(capacity: 3);
        for (int id = 0; id < 5; id++)
        {
            using var frame = Rent(pool, id); // the producer's own reference goes; the tap keeps its own
            tap.Publish(frame);
        }
        Assert.Equal(2, tap.Dropped);
        var ids = new List<long>();
        while (tap.Wait(TimeSpan.Zero, out var frame) == WaitOutcome.Item)
        {
            using (frame)
            {
                ids.Add(frame!.Id);
            }
        }
        Assert.Equal([2, 3, 4], ids);
        tap.Complete();
        Assert.Equal(WaitOutcome.Ended, tap.Wait(TimeSpan.FromSeconds(1), out _));
        Assert.Equal(0, pool.Outstanding); // every reference came home
    }

    [Fact]
    public void TryTakeNewestSkipsToTheNewestAndReleasesTheRest()
    {
        using var pool = new FramePool();
        var tap = new FrameTap(capacity: 4);
        Assert.False(tap.TryTakeNewest(out _));
        for (int id = 0; id < 3; id++)
        {
            using var frame = Rent(pool, id);
            tap.Publish(frame);
        }
        Assert.True(tap.TryTakeNewest(out var newest));
        using (newest)
        {
            Assert.Equal(2, newest.Id);
        }
        Assert.False(tap.TryTakeNewest(out _));
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void ALiveHostSessionKeepsEveryPublishedFrameForDisplayAndASyncOneNone()
    {
        using var model = Fixtures.Open(Fixtures.DemoModel);
        var pixels = new byte[64 * 48 * 4];
        using (var live = SegmentationSession.FromHostFrames(model, mode: DisplayMode.Live))
        {
            Assert.Equal(DisplayMode.Live, live.Mode);
            live.HostFrames!.Publish(pixels, 64, 48, 64 * 4, PixelFormat.Rgba32);
            long second = live.HostFrames.Publish(pixels, 64, 48, 64 * 4, PixelFormat.Rgba32);
            Assert.True(live.TryGetNewestFrame(out var frame));
            using (frame)
            {
                Assert.Equal(second, frame.Id); // the newest, though the pipeline (not started) took none
            }
            Assert.False(live.TryGetNewestFrame(out _));
        }
        using var sync = SegmentationSession.FromHostFrames(model);
        sync.HostFrames!.Publish(pixels, 64, 48, 64 * 4, PixelFormat.Rgba32);
        Assert.Null(sync.DisplayFrames);
        Assert.False(sync.TryGetNewestFrame(out _));
    }
}
