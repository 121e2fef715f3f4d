using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture.Loop;

/// <summary>
/// One frame deep, newest wins: a producer faster than its consumer replaces the waiting frame (released and
/// counted as dropped) instead of queueing it, so latency stays one frame however slow the consumer is.
/// </summary>
public sealed class LatestFrameSlot : IFrameReader
{
    private readonly object _lock = new(); // Monitor.Wait needs a monitor, not a System.Threading.Lock
    private Frame? _waiting;
    private bool _completed;
    private Exception? _fault;
    private long _dropped;

    /// <summary>Frames replaced before anyone took them.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Hands over <paramref name="frame"/>'s reference; a frame still waiting is dropped.</summary>
    public void Publish(Frame frame)
    {
        Frame? stale;
        lock (_lock)
        {
            if (_completed)
            {
                stale = frame;
            }
            else
            {
                stale = _waiting;
                _waiting = frame;
                if (stale is not null)
                {
                    Interlocked.Increment(ref _dropped);
                }
                Monitor.PulseAll(_lock);
            }
        }
        stale?.Dispose();
    }

    /// <summary>No more frames will come; waiters wake. A fault is rethrown to readers once the slot is empty.</summary>
    public void Complete(Exception? fault = null)
    {
        lock (_lock)
        {
            _completed = true;
            _fault ??= fault;
            Monitor.PulseAll(_lock);
        }
    }

    public FrameWait Wait(TimeSpan timeout, out Frame? frame)
    {
        lock (_lock)
        {
            long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (_waiting is null && !_completed)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_lock, TimeSpan.FromMilliseconds(left)))
                {
                    if (_waiting is null && !_completed)
                    {
                        frame = null;
                        return FrameWait.Timeout;
                    }
                }
            }
            frame = _waiting;
            _waiting = null;
            if (frame is not null)
            {
                return FrameWait.Frame;
            }
            return _fault is not null ? throw Rethrow(_fault) : FrameWait.Ended;
        }
    }

    /// <summary>Releases a frame nobody took (at shutdown).</summary>
    public void Clear()
    {
        Frame? left;
        lock (_lock)
        {
            left = _waiting;
            _waiting = null;
        }
        left?.Dispose();
    }

    internal static Exception Rethrow(Exception fault) =>
        fault is CaptureException c ? new CaptureException(c.Message, c) : new CaptureException(fault.Message, fault);
}
