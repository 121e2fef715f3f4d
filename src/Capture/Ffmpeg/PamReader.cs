using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>
/// Reads the PAM images FFmpeg writes to its stdout (<c>-f image2pipe -c:v pam -pix_fmt rgb24</c>): a short text
/// header with the size, then packed RGB rows, which land straight in a pooled frame. Allocation-free per frame.
/// </summary>
internal sealed class PamReader(Stream input) : IPipeReader
{
    private const int MaxHeader = 256;
    private readonly BufferedStream _input = new(input, 1 << 16);
    private readonly byte[] _header = new byte[MaxHeader];

    /// <summary>True when the stream ended inside a frame (a killed or failed FFmpeg).</summary>
    public bool EndedMidFrame { get; private set; }

    /// <summary>The next frame, or null at the end of the stream.</summary>
    public Frame? Read(FramePool pool)
    {
        int length = ReadHeader();
        if (length <= 0)
        {
            EndedMidFrame = length < 0;
            return null;
        }
        var (width, height) = ParseHeader(_header.AsSpan(0, length));
        var frame = pool.Rent(width, height, PixelFormat.Rgb24);
        if (!PipeReading.TryFill(_input, frame))
        {
            EndedMidFrame = true;
            return null;
        }
        return frame;
    }

    /// <summary>Bytes of header up to and including "ENDHDR\n"; 0 at a clean end, -1 at an end inside it.</summary>
    private int ReadHeader() => PipeReading.ReadThrough(_input, _header, "ENDHDR\n"u8,
        "FFmpeg's frame stream is not PAM (header too long); this is a bug, please report it with the source used");

    internal static (int Width, int Height) ParseHeader(ReadOnlySpan<byte> header)
    {
        if (!header.StartsWith("P7\n"u8))
        {
            throw new CaptureException("FFmpeg's frame stream is not PAM (no P7 signature); this is a bug, please report it");
        }
        int width = Field(header, "WIDTH "u8), height = Field(header, "HEIGHT "u8), depth = Field(header, "DEPTH "u8);
        int maxval = Field(header, "MAXVAL "u8);
        if (width <= 0 || height <= 0 || width > Frame.MaxSide || height > Frame.MaxSide || depth != 3 || maxval != 255)
        {
            throw new CaptureException($"FFmpeg sent a {width}x{height} frame with depth {depth} and maxval {maxval}; expected 8-bit RGB");
        }
        return (width, height);
    }

    private static int Field(ReadOnlySpan<byte> header, ReadOnlySpan<byte> name)
    {
        int at = header.IndexOf(name);
        if (at < 0)
        {
            return -1;
        }
        var value = header[(at + name.Length)..];
        int end = value.IndexOf((byte)'\n');
        return PipeReading.Decimal(end < 0 ? value : value[..end]);
    }
}
