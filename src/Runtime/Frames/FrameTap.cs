using System.Diagnostics.CodeAnalysis;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Runtime.Frames;

/// <summary>
/// Every frame a producer (a capture loop, a host's <see cref="HostFrameInput"/>) delivers, for display, beside the
/// frames it hands the pipeline: live mode draws each new camera frame, not only the ones the model had time for.
/// A short ring of references, oldest dropped (and counted) when the reader falls behind, so the producer never
/// waits: a recorder takes every frame in order (<see cref="Wait"/>), a viewer jumps to the newest
/// (<see cref="TryTakeNewest"/>). The reader owns each frame it is handed and disposes it.
/// </summary>
public sealed class FrameTap : IFrameReader
{
    private readonly object _lock = new(); // a monitor: Monitor.Wait, and no allocation on first contention
    private readonly Frame?[] _ring;
    private int _head, _count;
    private bool _completed;
    private long _dropped;

    /// <summary>A tap holding up to <paramref name="capacity"/> frames the reader has not taken yet.</summary>
    public FrameTap(int capacity = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new Frame?[capacity];
    }

    /// <summary>Frames the reader never took because newer ones filled the ring.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Adds a reference to <paramref name="frame"/> (the producer keeps its own); drops the oldest when full.</summary>
    public void Publish(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        Frame? stale = null;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }
            frame.Retain();
            if (_count == _ring.Length)
            {
                stale = _ring[_head];
                _ring[_head] = null;
                _head = (_head + 1) % _ring.Length;
                _count--;
                Interlocked.Increment(ref _dropped);
            }
            _ring[(_head + _count) % _ring.Length] = frame;
            _count++;
            Monitor.PulseAll(_lock);
        }
        stale?.Dispose();
    }

    /// <summary>The oldest frame not taken yet, waiting up to <paramref name="timeout"/>; Ended once completed and empty.</summary>
    public WaitOutcome Wait(TimeSpan timeout, out Frame? item)
    {
        lock (_lock)
        {
            long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (_count == 0 && !_completed)
            {
                long left = deadline - Environment.TickCount64;
                if ((left <= 0 || !Monitor.Wait(_lock, TimeSpan.FromMilliseconds(left))) && _count == 0 && !_completed)
                {
                    item = null;
                    return WaitOutcome.Timeout;
                }
            }
            if (_count == 0)
            {
                item = null;
                return WaitOutcome.Ended;
            }
            item = _ring[_head];
            _ring[_head] = null;
            _head = (_head + 1) % _ring.Length;
            _count--;
            return WaitOutcome.Item;
        }
    }

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
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Releases the frames nobody took (at shutdown).</summary>
    public void Clear()
    {
        while (Wait(TimeSpan.Zero, out var left) == WaitOutcome.Item)
        {
            left!.Dispose();
        }
    }
}
