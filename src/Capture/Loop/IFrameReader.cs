using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture.Loop;

/// <summary>What a wait for a frame produced.</summary>
public enum FrameWait
{
    /// <summary>A frame was handed over; the reader owns its reference and must dispose it.</summary>
    Frame,
    /// <summary>Nothing arrived within the timeout; the source is still running.</summary>
    Timeout,
    /// <summary>The source ended (or was stopped) and every frame has been taken.</summary>
    Ended,
}

/// <summary>The consumer side of a capture loop.</summary>
public interface IFrameReader
{
    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the next frame. Throws the source's <see cref="CaptureException"/>
    /// once it failed for good (after the frames delivered before the failure have been taken).
    /// </summary>
    FrameWait Wait(TimeSpan timeout, out Frame? frame);
}
