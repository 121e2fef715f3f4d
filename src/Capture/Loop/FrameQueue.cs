using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture.Loop;

/// <summary>
/// A bounded first-in-first-out queue of frames with back-pressure: every frame is delivered exactly once, and a
/// full queue blocks the producer (which stops reading FFmpeg's pipe, which pauses FFmpeg). A fixed ring, so
/// nothing is allocated per frame.
/// </summary>
public sealed class FrameQueue : IFrameReader
{
    private readonly Frame?[] _ring;
    private readonly object _lock = new(); // Monitor.Wait needs a monitor, not a System.Threading.Lock
    private int _head;
    private int _count;
    private bool _completed;
    private bool _closed;
    private Exception? _fault;

    public FrameQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new Frame?[capacity];
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Adds a frame, waiting while the queue is full. False (frame released) once the queue was closed.</summary>
    public bool Add(Frame frame)
    {
        lock (_lock)
        {
            while (_count == _ring.Length && !_closed)
            {
                Monitor.Wait(_lock);
            }
            if (!_closed)
            {
                _ring[(_head + _count) % _ring.Length] = frame;
                _count++;
                Monitor.PulseAll(_lock);
                return true;
            }
        }
        frame.Dispose();
        return false;
    }

    /// <summary>No more frames will be added; readers still get those queued, then the end (or the fault).</summary>
    public void Complete(Exception? fault = null)
    {
        lock (_lock)
        {
            _completed = true;
            _fault ??= fault;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Stops everything now: a blocked producer returns, queued frames are released.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _completed = true;
            Monitor.PulseAll(_lock);
        }
        while (TryTake(out var frame))
        {
            frame.Dispose();
        }
    }

    public FrameWait Wait(TimeSpan timeout, out Frame? frame)
    {
        lock (_lock)
        {
            long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (_count == 0 && !_completed)
            {
                long left = deadline - Environment.TickCount64;
                if ((left <= 0 || !Monitor.Wait(_lock, TimeSpan.FromMilliseconds(left))) && _count == 0 && !_completed)
                {
                    frame = null;
                    return FrameWait.Timeout;
                }
            }
            if (TakeLocked(out frame))
            {
                return FrameWait.Frame;
            }
            return _fault is not null && !_closed ? throw LatestFrameSlot.Rethrow(_fault) : FrameWait.Ended;
        }
    }

    private bool TryTake(out Frame frame)
    {
        lock (_lock)
        {
            bool took = TakeLocked(out var f);
            frame = f!;
            return took;
        }
    }

    private bool TakeLocked(out Frame? frame)
    {
        if (_count == 0)
        {
            frame = null;
            return false;
        }
        frame = _ring[_head];
        _ring[_head] = null;
        _head = (_head + 1) % _ring.Length;
        _count--;
        Monitor.PulseAll(_lock);
        return true;
    }
}
