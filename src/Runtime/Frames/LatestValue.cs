using System.Runtime.ExceptionServices;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Runtime.Frames;

/// <summary>
/// One item deep, newest wins: a producer faster than its consumer replaces the waiting item (released and
/// counted as dropped) instead of queueing it, so latency stays one item however slow the consumer is.
/// </summary>
internal class LatestValue<T> : IReader<T> where T : class, IDisposable
{
    private readonly object _lock = new(); // Monitor.Wait needs a monitor, not a System.Threading.Lock
    private T? _waiting;
    private bool _completed;
    private Exception? _fault;
    private long _dropped;

    /// <summary>Items replaced before anyone took them.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Hands over <paramref name="item"/>'s reference; an item still waiting is dropped.</summary>
    public void Publish(T item)
    {
        T? stale;
        lock (_lock)
        {
            if (_completed)
            {
                stale = item;
            }
            else
            {
                stale = _waiting;
                _waiting = item;
                if (stale is not null)
                {
                    Interlocked.Increment(ref _dropped);
                }
                Monitor.PulseAll(_lock);
            }
        }
        stale?.Dispose();
    }

    /// <summary>No more items will come; waiters wake. A fault is rethrown to readers once the slot is empty.</summary>
    public void Complete(Exception? fault = null)
    {
        lock (_lock)
        {
            _completed = true;
            _fault ??= fault;
            Monitor.PulseAll(_lock);
        }
    }

    public WaitOutcome Wait(TimeSpan timeout, out T? item)
    {
        lock (_lock)
        {
            var deadline = new MonitorDeadline(timeout);
            while (_waiting is null && !_completed)
            {
                if (!deadline.Wait(_lock) && _waiting is null && !_completed)
                {
                    item = null;
                    return WaitOutcome.Timeout;
                }
            }
            item = _waiting;
            _waiting = null;
            if (item is not null)
            {
                return WaitOutcome.Item;
            }
            if (_fault is not null)
            {
                ExceptionDispatchInfo.Throw(_fault);
            }
            return WaitOutcome.Ended;
        }
    }

    /// <summary>Releases an item nobody took (at shutdown).</summary>
    public void Clear()
    {
        T? left;
        lock (_lock)
        {
            left = _waiting;
            _waiting = null;
        }
        left?.Dispose();
    }
}

/// <summary>Newest frame wins: the live hand-off from a capture loop (or a host) to the pipeline.</summary>
internal sealed class LatestFrame : LatestValue<Frame>, IFrameReader;
