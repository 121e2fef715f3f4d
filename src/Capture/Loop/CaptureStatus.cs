namespace RealtimeSeg.Capture.Loop;

/// <summary>Where a capture loop is in its life.</summary>
public enum CaptureState
{
    /// <summary>Start has not been called.</summary>
    NotStarted,

    /// <summary>The source is being opened (FFmpeg starting, a camera negotiating).</summary>
    Opening,

    /// <summary>Frames are arriving.</summary>
    Running,

    /// <summary>A camera or stream dropped; the loop is opening it again with back-off.</summary>
    Reconnecting,

    /// <summary>A file or finite source delivered its last frame.</summary>
    Ended,

    /// <summary>The source failed for good; the reason is in the status message.</summary>
    Failed,

    /// <summary>Stop was called.</summary>
    Stopped,
}

/// <summary>A snapshot of a capture loop, for status lines, HUDs and hosts.</summary>
/// <param name="State">Where the loop is in its life.</param>
/// <param name="Captured">Frames delivered to the consumer so far.</param>
/// <param name="Dropped">Frames replaced by newer ones before the consumer took them (live pacing).</param>
/// <param name="Reconnects">Times a dropped camera or stream came back.</param>
/// <param name="Info">What the source reported (size, rate, codec, frame count).</param>
/// <param name="LastWidth">Width of the last frame delivered (a stream's size can change on reconnect).</param>
/// <param name="LastHeight">Height of the last frame delivered.</param>
/// <param name="MeasuredFps">Frames per second measured from capture times.</param>
/// <param name="Message">Why the source ended, failed or is reconnecting, if it did.</param>
/// <param name="CaptureThreadAllocatedBytes">Managed bytes the capture thread has allocated so far (flat in steady state).</param>
public readonly record struct CaptureStatus(
    CaptureState State,
    long Captured,
    long Dropped,
    int Reconnects,
    StreamInfo Info,
    int LastWidth,
    int LastHeight,
    double MeasuredFps,
    string? Message,
    long CaptureThreadAllocatedBytes)
{
    /// <summary>One status line.</summary>
    public override string ToString() =>
        $"{State.ToString().ToLowerInvariant()}: {Captured} frames, {Dropped} dropped, {Reconnects} reconnects, {(LastWidth > 0 ? $"{LastWidth}x{LastHeight}" : Info.Size)}, {MeasuredFps:0.0} fps measured{(Message is null ? "" : $" ({Message})")}";
}
