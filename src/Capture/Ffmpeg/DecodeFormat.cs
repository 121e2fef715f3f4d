using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>
/// What FFmpeg hands over through the pipe. Where the stream is 8-bit 4:2:0 already (what H.264, HEVC, VP9 and
/// AV1 files and most generators give), the planes themselves, as Y4M: half the bytes of RGB24 and no conversion
/// in FFmpeg (the shader and the model's input transform convert). Cameras' yuyv422 and mjpeg are converted to
/// 4:2:0 by FFmpeg, still less work than RGB. Everything else (RGB pictures, 10-bit, 4:2:2 and 4:4:4 files, odd
/// sizes, network streams whose size may change mid-stream, expert arguments) keeps the PAM RGB path, whose every
/// frame carries its own size.
/// </summary>
internal readonly record struct DecodeFormat(bool Yuv, string PixFmt, YuvMatrix Matrix)
{
    public static DecodeFormat Rgb { get; } = new(false, "rgb24", YuvMatrix.Bt601);

    private static readonly string[] Planar420 = ["yuv420p", "yuvj420p", "nv12", "nv21"];

    public static DecodeFormat Choose(SourceSpec spec, SourceOptions options, StreamInfo info)
    {
        if (options.DecodeToRgb)
        {
            return Rgb;
        }
        switch (spec.Kind)
        {
            case SourceKind.Camera:
                // Webcams are BT.601; MJPEG is full range (JPEG), so it stays full range rather than being squeezed.
                bool jpeg = options.InputFormat.Equals("mjpeg", StringComparison.OrdinalIgnoreCase);
                bool evenRequest = !options.HasSize || (options.Width % 2 == 0 && options.Height % 2 == 0);
                return evenRequest ? new DecodeFormat(true, jpeg ? "yuvj420p" : "yuv420p", YuvMatrix.Bt601) : Rgb;
            case SourceKind.VideoFile or SourceKind.Lavfi:
                if (!Planar420.Contains(info.PixelFormat) || info.Width <= 0 || info.Width % 2 != 0 || info.Height % 2 != 0)
                {
                    return Rgb;
                }
                bool full = info.PixelFormat == "yuvj420p" || info.ColorRange == "pc";
                return new DecodeFormat(true, full ? "yuvj420p" : "yuv420p", MatrixOf(info));
            default:
                return Rgb;
        }
    }

    /// <summary>The stream's matrix tag, or what players assume for an untagged stream of its height.</summary>
    internal static YuvMatrix MatrixOf(StreamInfo info) => info.ColorSpace switch
    {
        "bt709" => YuvMatrix.Bt709,
        "smpte170m" or "bt470bg" or "fcc" or "smpte240m" => YuvMatrix.Bt601,
        _ => YuvColor.MatrixForUntagged(info.Height),
    };
}
