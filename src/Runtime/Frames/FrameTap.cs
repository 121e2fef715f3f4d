using System.Diagnostics.CodeAnalysis;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Runtime.Frames;

/// <summary>
/// Every frame a producer (a capture loop, a host's <see cref="HostFrameInput"/>) delivers, for display, beside the
/// frames it hands the pipeline: live mode draws each new camera frame, not only the ones the model had time for.
/// A short queue of references, oldest dropped (and counted) when the reader falls behind, so the producer never
/// waits: a recorder takes every frame in order (<see cref="Wait"/>), a viewer jumps to the newest
/// (<see cref="TryTakeNewest"/>). The reader owns each frame it is handed and disposes it.
/// </summary>
public sealed class FrameTap : IFrameReader
{
    private readonly BoundedQueue<Frame> _queue;
    private long _dropped;

    /// <summary>A tap holding up to <paramref name="capacity"/> frames the reader has not taken yet.</summary>
    public FrameTap(int capacity = 4) => _queue = new BoundedQueue<Frame>(capacity);

    /// <summary>Frames the reader never took because newer ones filled the queue.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Adds a reference to <paramref name="frame"/> (the producer keeps its own); drops the oldest when full.</summary>
    public void Publish(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_queue.AddDroppingOldest(frame.Retain()))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>The oldest frame not taken yet, waiting up to <paramref name="timeout"/>; Ended once completed and empty.</summary>
    public WaitOutcome Wait(TimeSpan timeout, out Frame? item) => _queue.Wait(timeout, out item);

    /// <summary>The newest frame without waiting, releasing the older ones not taken; false when none is new.</summary>
    public bool TryTakeNewest([NotNullWhen(true)] out Frame? frame)
    {
        frame = null;
        while (Wait(TimeSpan.Zero, out var next) == WaitOutcome.Item)
        {
            frame?.Dispose();
            frame = next!;
        }
        return frame is not null;
    }

    /// <summary>No more frames: a waiting reader wakes; later publishes are ignored.</summary>
    public void Complete() => _queue.Complete();

    /// <summary>Releases the frames nobody took (at shutdown).</summary>
    public void Clear()
    {
        while (Wait(TimeSpan.Zero, out var left) == WaitOutcome.Item)
        {
            left!.Dispose();
        }
    }
}
