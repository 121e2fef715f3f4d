namespace RealtimeSeg.Capture.Loop;

public enum CaptureState { NotStarted, Opening, Running, Reconnecting, Ended, Failed, Stopped }

/// <summary>A snapshot of a capture loop, for status lines, HUDs and hosts.</summary>
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
    public override string ToString() =>
        $"{State.ToString().ToLowerInvariant()}: {Captured} frames, {Dropped} dropped, {Reconnects} reconnects, {(LastWidth > 0 ? $"{LastWidth}x{LastHeight}" : Info.Size)}, {MeasuredFps:0.0} fps measured{(Message is null ? "" : $" ({Message})")}";
}
