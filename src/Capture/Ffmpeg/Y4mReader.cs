using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>
/// Reads the YUV4MPEG2 stream FFmpeg writes to its stdout (<c>-f yuv4mpegpipe -pix_fmt yuv420p</c>): one stream
/// header (size, chroma layout, range), then per frame a <c>FRAME</c> line and the three planes, which land in
/// one read straight in a pooled <see cref="PixelFormat.Yuv420"/> frame. Allocation-free per frame. The size is
/// the stream's, fixed: the sources that may change size mid-stream keep the PAM path (see
/// <see cref="DecodeFormat"/>), and a frame line out of place says the stream lost step instead of showing garbage.
/// </summary>
internal sealed class Y4mReader(Stream input, YuvMatrix matrix) : IPipeReader
{
    private const int MaxLine = 512;
    private readonly BufferedStream _input = new(input, 1 << 16);
    private readonly byte[] _line = new byte[MaxLine];
    private int _width, _height;
    private YuvColor _color;

    public bool EndedMidFrame { get; private set; }

    public Frame? Read(FramePool pool)
    {
        if (_width == 0)
        {
            int header = ReadLine();
            if (header <= 0)
            {
                EndedMidFrame = header < 0;
                return null;
            }
            (_width, _height, bool full) = ParseHeader(_line.AsSpan(0, header));
            _color = new YuvColor(matrix, full);
        }
        int length = ReadLine();
        if (length <= 0)
        {
            EndedMidFrame = length < 0;
            return null;
        }
        if (!_line.AsSpan(0, length).StartsWith("FRAME"u8))
        {
            throw new CaptureException("FFmpeg's frame stream lost step (no FRAME line where one belongs; did the source change size?); this is a bug, please report it with the source used");
        }
        var frame = pool.Rent(_width, _height, PixelFormat.Yuv420);
        frame.Color = _color;
        if (!PipeReading.TryFill(_input, frame))
        {
            EndedMidFrame = true;
            return null;
        }
        return frame;
    }

    /// <summary>Bytes of one line including its '\n'; 0 at a clean end, -1 at an end inside it.</summary>
    private int ReadLine() => PipeReading.ReadThrough(_input, _line, "\n"u8,
        "FFmpeg's frame stream is not Y4M (line too long); this is a bug, please report it with the source used");

    /// <summary>"YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg XYSCSS=420JPEG XCOLORRANGE=FULL".</summary>
    internal static (int Width, int Height, bool FullRange) ParseHeader(ReadOnlySpan<byte> header)
    {
        if (!header.StartsWith("YUV4MPEG2 "u8))
        {
            throw new CaptureException("FFmpeg's frame stream is not Y4M (no YUV4MPEG2 signature); this is a bug, please report it");
        }
        int width = 0, height = 0;
        bool full = false, is420 = true;
        foreach (var range in header.TrimEnd("\n"u8).Split((byte)' '))
        {
            var field = header[range];
            if (field.Length < 2)
            {
                continue;
            }
            switch (field[0])
            {
                case (byte)'W':
                    width = PipeReading.Decimal(field[1..]);
                    break;
                case (byte)'H':
                    height = PipeReading.Decimal(field[1..]);
                    break;
                case (byte)'C':
                    is420 = field[1..].StartsWith("420"u8);
                    break;
                case (byte)'X' when field.StartsWith("XCOLORRANGE="u8):
                    full = field["XCOLORRANGE="u8.Length..].SequenceEqual("FULL"u8);
                    break;
            }
        }
        if (width <= 0 || height <= 0 || width > Frame.MaxSide || height > Frame.MaxSide || !is420 || width % 2 != 0 || height % 2 != 0)
        {
            throw new CaptureException($"FFmpeg sent a {width}x{height} Y4M stream that is not 8-bit 4:2:0 of even size; this is a bug, please report it with the source used");
        }
        return (width, height, full);
    }
}
