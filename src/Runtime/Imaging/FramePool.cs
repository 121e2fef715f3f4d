namespace RealtimeSeg.Runtime.Imaging;

/// <summary>
/// Recycles <see cref="Frame"/> objects and their pixel buffers, so a video source allocates nothing per frame
/// once it has as many frames as are ever alive at once. Thread-safe: sources rent on their thread, holders
/// release on theirs. <see cref="Outstanding"/> is the accounting tests and leak checks read.
/// </summary>
public sealed class FramePool : IDisposable
{
    private readonly Stack<Frame> _idle = new(32); // sized so returning frames never grows it mid-stream
    private readonly object _lock = new(); // a plain monitor: the first contention on a System.Threading.Lock allocates
    private int _outstanding;
    private int _created;
    private bool _disposed;

    /// <summary>Frames rented and not yet released by their last holder.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Frame buffers this pool has allocated (flat in steady state).</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>A frame with one reference, for a source to fill; contents unspecified.</summary>
    public Frame Rent(int width, int height, PixelFormat format)
    {
        long needed = Frame.BufferSize(width * format.BytesPerPixel(), height, format);
        Frame? frame = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // Idle frames are interchangeable; one too small for this size (the stream grew) is let go.
            while (_idle.TryPop(out var candidate))
            {
                if (candidate.Capacity >= needed)
                {
                    frame = candidate;
                    break;
                }
                candidate.DropBuffer();
            }
        }
        if (frame is null)
        {
            frame = Frame.ForPool(this, width, height, format);
            Interlocked.Increment(ref _created);
        }
        else
        {
            frame.Reinitialise(width, height, width * format.BytesPerPixel(), format);
        }
        Interlocked.Increment(ref _outstanding);
        return frame;
    }

    internal void Return(Frame frame)
    {
        Interlocked.Decrement(ref _outstanding);
        lock (_lock)
        {
            if (_disposed)
            {
                frame.DropBuffer();
            }
            else
            {
                _idle.Push(frame);
            }
        }
    }

    /// <summary>Lets go of idle buffers; frames still held stay valid until their holders release them.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            while (_idle.TryPop(out var frame))
            {
                frame.DropBuffer();
            }
        }
    }
}
