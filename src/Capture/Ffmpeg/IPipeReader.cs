using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>Frames from FFmpeg's stdout, whatever their container on the pipe (PAM for RGB, Y4M for YUV 4:2:0).</summary>
internal interface IPipeReader
{
    /// <summary>True when the stream ended inside a frame (a killed or failed FFmpeg).</summary>
    bool EndedMidFrame { get; }

    /// <summary>The next frame, or null at the end of the stream.</summary>
    Frame? Read(FramePool pool);
}
