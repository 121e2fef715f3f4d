using System.Runtime.ExceptionServices;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Runtime.Frames;

/// <summary>
/// A bounded first-in-first-out queue with back-pressure: every item is delivered exactly once, and a full
/// queue blocks the producer (for capture: it stops reading FFmpeg's pipe, which pauses FFmpeg). A fixed ring,
/// so nothing is allocated per item.
/// </summary>
internal class BoundedQueue<T> : IReader<T> where T : class, IDisposable
{
    private readonly T?[] _ring;
    private readonly object _lock = new(); // Monitor.Wait needs a monitor, not a System.Threading.Lock
    private int _head;
    private int _count;
    private bool _completed;
    private bool _closed;
    private Exception? _fault;

    public BoundedQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new T?[capacity];
    }

    public int Capacity => _ring.Length;

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

    /// <summary>Adds an item, waiting while the queue is full. False (item released) once the queue was closed.</summary>
    public bool Add(T item)
    {
        lock (_lock)
        {
            while (_count == _ring.Length && !_closed)
            {
                Monitor.Wait(_lock);
            }
            if (!_closed)
            {
                _ring[(_head + _count) % _ring.Length] = item;
                _count++;
                Monitor.PulseAll(_lock);
                return true;
            }
        }
        item.Dispose();
        return false;
    }

    /// <summary>
    /// Adds an item without ever waiting: a full queue releases its oldest item to make room (a reader that falls
    /// behind loses the oldest, the producer never stalls). Returns whether one was dropped; after completion the
    /// item is released and nothing is added.
    /// </summary>
    public bool AddDroppingOldest(T item)
    {
        T? dropped = null;
        lock (_lock)
        {
            if (_completed || _closed)
            {
                dropped = item;
            }
            else
            {
                if (_count == _ring.Length)
                {
                    TakeLocked(out dropped);
                }
                _ring[(_head + _count) % _ring.Length] = item;
                _count++;
                Monitor.PulseAll(_lock);
            }
        }
        dropped?.Dispose();
        return dropped is not null && !ReferenceEquals(dropped, item);
    }

    /// <summary>No more items will be added; readers still get those queued, then the end (or the fault).</summary>
    public void Complete(Exception? fault = null)
    {
        lock (_lock)
        {
            _completed = true;
            _fault ??= fault;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Stops everything now: a blocked producer returns, queued items are released.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _completed = true;
            Monitor.PulseAll(_lock);
        }
        while (TryTake(out var item))
        {
            item.Dispose();
        }
    }

    public WaitOutcome Wait(TimeSpan timeout, out T? item)
    {
        lock (_lock)
        {
            var deadline = new MonitorDeadline(timeout);
            while (_count == 0 && !_completed)
            {
                if (!deadline.Wait(_lock) && _count == 0 && !_completed)
                {
                    item = null;
                    return WaitOutcome.Timeout;
                }
            }
            if (TakeLocked(out item))
            {
                return WaitOutcome.Item;
            }
            if (_fault is not null && !_closed)
            {
                ExceptionDispatchInfo.Throw(_fault);
            }
            return WaitOutcome.Ended;
        }
    }

    private bool TryTake(out T item)
    {
        lock (_lock)
        {
            bool took = TakeLocked(out var taken);
            item = taken!;
            return took;
        }
    }

    private bool TakeLocked(out T? item)
    {
        if (_count == 0)
        {
            item = null;
            return false;
        }
        item = _ring[_head];
        _ring[_head] = null;
        _head = (_head + 1) % _ring.Length;
        _count--;
        Monitor.PulseAll(_lock);
        return true;
    }
}

/// <summary>Every frame once, in order, with back-pressure: the lossless hand-off.</summary>
internal sealed class FrameQueue(int capacity) : BoundedQueue<Frame>(capacity), IFrameReader;
