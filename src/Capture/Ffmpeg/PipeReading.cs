using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>What both frame containers on FFmpeg's pipe (PAM, Y4M) read the same way: header text, then pixels.</summary>
internal static class PipeReading
{
    /// <summary>A header's decimal field: its value, or -1 when it is not all digits or is past any frame size.</summary>
    public static int Decimal(ReadOnlySpan<byte> digits)
    {
        if (digits.IsEmpty)
        {
            return -1;
        }
        int value = 0;
        foreach (byte d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9')
            {
                return -1;
            }
            value = value * 10 + (d - '0');
            if (value > 1_000_000)
            {
                return -1; // no overflow, and no frame is a million pixels a side
            }
        }
        return value;
    }

    /// <summary>
    /// Bytes up to and including <paramref name="terminator"/> (which ends in '\n') into <paramref name="into"/>;
    /// 0 at a clean end of the stream, -1 at an end inside the text. Text that fills <paramref name="into"/> first
    /// is not the container FFmpeg was asked for: <paramref name="tooLong"/> is thrown.
    /// </summary>
    public static int ReadThrough(BufferedStream input, byte[] into, ReadOnlySpan<byte> terminator, string tooLong)
    {
        int n = 0;
        while (true)
        {
            int b = input.ReadByte();
            if (b < 0)
            {
                return n == 0 ? 0 : -1;
            }
            if (n == into.Length)
            {
                throw new CaptureException(tooLong);
            }
            into[n++] = (byte)b;
            if (b == '\n' && n >= terminator.Length && into.AsSpan(n - terminator.Length, terminator.Length).SequenceEqual(terminator))
            {
                return n;
            }
        }
    }

    /// <summary>Reads the frame's pixels in one go; false, with the frame given back, when the stream ends inside them.</summary>
    public static bool TryFill(Stream input, Frame frame)
    {
        try
        {
            input.ReadExactly(frame.Pixels);
            return true;
        }
        catch (EndOfStreamException)
        {
            frame.Dispose();
            return false;
        }
    }
}
