using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture;

/// <summary>
/// Something that produces frames on the capture thread. <see cref="Read"/> blocks until a frame arrives;
/// <see cref="Interrupt"/>, called from another thread, makes a blocked Read return promptly.
/// </summary>
public interface IFrameSource : IDisposable
{
    /// <summary>What the source reads.</summary>
    SourceSpec Spec { get; }

    /// <summary>What the source delivers; refreshed by every <see cref="Open"/> (a reconnected stream may differ).</summary>
    StreamInfo Info { get; }

    /// <summary>Frames arrive at the source's own pace (camera, stream, paced file or scene): the loop defaults to live.</summary>
    bool IsLive { get; }

    /// <summary>Starts delivery, or restarts it after the source dropped.</summary>
    void Open();

    /// <summary>The next frame (one reference, from <paramref name="pool"/>), or null at the end of the stream.</summary>
    Frame? Read(FramePool pool);

    /// <summary>Why the last stream ended early, if it did (a truncated file, a dropped stream); else null.</summary>
    string? EndReason { get; }

    /// <summary>
    /// Stops the source for good, from any thread: a <see cref="Read"/> in progress returns null promptly, an
    /// <see cref="Open"/> in progress throws. Dispose follows.
    /// </summary>
    void Interrupt();
}
