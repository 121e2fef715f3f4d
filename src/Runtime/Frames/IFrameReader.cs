using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Runtime.Frames;

/// <summary>What a wait for the next item produced.</summary>
public enum WaitOutcome
{
    /// <summary>An item (a frame or a result) was handed over; the reader owns its reference and must dispose it.</summary>
    Item,
    /// <summary>Nothing arrived within the timeout; the producer is still running.</summary>
    Timeout,
    /// <summary>The producer ended (or was stopped) and every item has been taken.</summary>
    Ended,
}

/// <summary>
/// The consumer side of a hand-off between threads (frames from a capture loop, results from a pipeline).
/// Items are reference-counted: the reader owns the one it is handed and disposes it when done.
/// </summary>
public interface IReader<T> where T : class, IDisposable
{
    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the next item. Once the producer failed, rethrows its exception
    /// (after the items delivered before the failure have been taken).
    /// </summary>
    WaitOutcome Wait(TimeSpan timeout, out T? item);
}

/// <summary>Where a consumer takes frames: a capture loop's output, or a host engine's own frames.</summary>
public interface IFrameReader : IReader<Frame>;
