using RealtimeSeg.Runtime;

namespace RealtimeSeg.Capture;

/// <summary>A source that cannot deliver frames: FFmpeg missing, a camera absent or busy, a file unreadable.</summary>
public sealed class CaptureException : RealtimeSegException
{
    public CaptureException(string message) : base(message) { }

    public CaptureException(string message, Exception inner) : base(message, inner) { }
}
