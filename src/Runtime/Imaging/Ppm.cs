using System.Text;

namespace RealtimeSeg.Runtime.Imaging;

/// <summary>Binary PPM (P6, 8-bit RGB): the one image format that needs no codec, used for fixtures and dumps.</summary>
internal static class Ppm
{
    public static Frame Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int pos = 0;
        string magic = Token(bytes, ref pos);
        if (magic != "P6")
        {
            throw new RealtimeSegException($"{path} is not a binary PPM (starts with '{magic}', expected 'P6')");
        }
        int width = int.Parse(Token(bytes, ref pos), System.Globalization.CultureInfo.InvariantCulture);
        int height = int.Parse(Token(bytes, ref pos), System.Globalization.CultureInfo.InvariantCulture);
        int max = int.Parse(Token(bytes, ref pos), System.Globalization.CultureInfo.InvariantCulture);
        pos++; // the single whitespace byte after maxval
        if (max != 255)
        {
            throw new RealtimeSegException($"{path}: only 8-bit PPM is supported (maxval {max})");
        }
        int size = width * height * 3;
        if (bytes.Length - pos < size)
        {
            throw new RealtimeSegException($"{path} is truncated: {bytes.Length - pos} pixel bytes, expected {size}");
        }
        var frame = Frame.Allocate(width, height, PixelFormat.Rgb24);
        bytes.AsSpan(pos, size).CopyTo(frame.Pixels);
        return frame;
    }

    public static void Write(string path, Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        using var stream = File.Create(path);
        stream.Write(Encoding.ASCII.GetBytes($"P6\n{frame.Width} {frame.Height}\n255\n"));
        var (r, g, b) = frame.Format.ChannelOffsets();
        int bpp = frame.Format.BytesPerPixel();
        var row = new byte[frame.Width * 3];
        for (int y = 0; y < frame.Height; y++)
        {
            var src = frame.Row(y);
            for (int x = 0; x < frame.Width; x++)
            {
                row[3 * x] = src[x * bpp + r];
                row[3 * x + 1] = src[x * bpp + g];
                row[3 * x + 2] = src[x * bpp + b];
            }
            stream.Write(row);
        }
    }

    private static string Token(byte[] bytes, ref int pos)
    {
        while (pos < bytes.Length && (char.IsWhiteSpace((char)bytes[pos]) || bytes[pos] == '#'))
        {
            if (bytes[pos] == '#')
            {
                while (pos < bytes.Length && bytes[pos] != '\n')
                {
                    pos++;
                }
            }
            else
            {
                pos++;
            }
        }
        int start = pos;
        while (pos < bytes.Length && !char.IsWhiteSpace((char)bytes[pos]))
        {
            pos++;
        }
        return Encoding.ASCII.GetString(bytes, start, pos - start);
    }
}
