using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Tests.Capture;

public sealed class FramePoolTests
{
    [Fact]
    public void TheLastHolderReturnsTheFrameAndItIsReused()
    {
        using var pool = new FramePool();
        var frame = pool.Rent(64, 48, PixelFormat.Rgb24);
        var second = frame.Retain();
        Assert.Equal(2, frame.References);
        frame.Dispose();
        Assert.Equal(1, pool.Outstanding);
        Assert.Equal(64 * 3, second.Stride);
        second.Dispose();
        Assert.Equal(0, pool.Outstanding);
        Assert.Throws<ObjectDisposedException>(() => frame.Pixels.Length);
        Assert.Throws<ObjectDisposedException>(() => frame.Retain());

        var again = pool.Rent(32, 16, PixelFormat.Rgb24); // smaller: the same buffer serves
        Assert.Same(frame, again);
        Assert.Equal((32, 16, 1), (again.Width, again.Height, again.References));
        Assert.Equal(1, pool.Created);
        again.Dispose();
        again.Dispose(); // a second Dispose by the last holder is harmless
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void AFrameTooSmallForANewSizeIsReplaced()
    {
        using var pool = new FramePool();
        pool.Rent(16, 16, PixelFormat.Rgb24).Dispose();
        using var bigger = pool.Rent(640, 480, PixelFormat.Rgb24);
        Assert.Equal(640 * 480 * 3, bigger.Pixels.Length);
        Assert.Equal(2, pool.Created);
    }

    [Fact]
    public void RentingAndReleasingInSteadyStateAllocatesNothing()
    {
        using var pool = new FramePool();
        for (int i = 0; i < 3; i++)
        {
            pool.Rent(320, 240, PixelFormat.Rgb24).Dispose();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            var f = pool.Rent(320, 240, PixelFormat.Rgb24);
            f.Retain().Dispose();
            f.Dispose();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
