using RealtimeSeg.Runtime;

namespace RealtimeSeg.Capture;

/// <summary>A source that cannot deliver frames: FFmpeg missing, a camera absent or busy, a file unreadable.</summary>
public sealed class CaptureException : RealtimeSegException
{
    /// <summary>A capture failure in the source's terms, naming the source and the fix.</summary>
    public CaptureException(string message) : base(message) { }

    /// <summary>A capture failure in the source's terms, with its cause.</summary>
    public CaptureException(string message, Exception inner) : base(message, inner) { }
}
