using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace RealtimeSeg.Runtime.Imaging;

/// <summary>
/// PNG for 8-bit RGB/RGBA, non-interlaced: what the synthetic datasets and screenshots need, written with the
/// framework's zlib and no image library. Reading accepts the same subset and says so for anything else.
/// </summary>
public static class Png
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>Writes the frame as an 8-bit RGB PNG file (alpha dropped).</summary>
    public static void Write(string path, Frame frame, CompressionLevel level = CompressionLevel.Fastest)
    {
        ArgumentNullException.ThrowIfNull(frame);
        using var file = File.Create(path);
        Write(file, frame, level);
    }

    /// <summary>Writes beside <paramref name="path"/> and renames, so a failure never leaves a half-written PNG.</summary>
    public static void WriteAtomically(string path, Frame frame, CompressionLevel level = CompressionLevel.Fastest)
    {
        string tmp = path + ".tmp";
        try
        {
            Write(tmp, frame, level);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>Writes the frame as an 8-bit RGB PNG to a stream (alpha dropped).</summary>
    public static void Write(Stream output, Frame frame, CompressionLevel level = CompressionLevel.Fastest)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(frame);
        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, frame.Width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], frame.Height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type: RGB
        WriteChunk(output, "IHDR", header);

        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, level, leaveOpen: true))
        {
            var (r, g, b) = frame.Format.ChannelOffsets();
            int bpp = frame.Format.BytesPerPixel();
            var line = new byte[1 + frame.Width * 3];
            var rgb = new byte[frame.Width * 3];
            for (int y = 0; y < frame.Height; y++)
            {
                var src = frame.Row(y);
                for (int x = 0; x < frame.Width; x++)
                {
                    rgb[3 * x] = src[x * bpp + r];
                    rgb[3 * x + 1] = src[x * bpp + g];
                    rgb[3 * x + 2] = src[x * bpp + b];
                }
                // Filter "Sub" (1): smooth regions compress far better than raw bytes.
                line[0] = 1;
                for (int i = 0; i < rgb.Length; i++)
                {
                    line[1 + i] = (byte)(rgb[i] - (i >= 3 ? rgb[i - 3] : 0));
                }
                z.Write(line);
            }
        }
        WriteChunk(output, "IDAT", idat.GetBuffer().AsSpan(0, (int)idat.Length));
        WriteChunk(output, "IEND", []);
    }

    /// <summary>Reads an 8-bit RGB or RGBA, non-interlaced PNG into an RGB24 frame.</summary>
    public static Frame Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(Signature))
        {
            throw new RealtimeSegException($"{path} is not a PNG file");
        }
        int pos = 8, width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        while (pos + 8 <= bytes.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos));
            string type = Encoding.ASCII.GetString(bytes, pos + 4, 4);
            if (length < 0 || pos + 12 + length > bytes.Length)
            {
                throw new RealtimeSegException($"{path} is truncated (chunk {type} runs past the end of the file)");
            }
            var data = bytes.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                byte depth = data[8], colour = data[9], interlace = data[12];
                channels = colour switch { 2 => 3, 6 => 4, _ => 0 };
                if (depth != 8 || channels == 0 || interlace != 0)
                {
                    throw new RealtimeSegException($"{path}: only 8-bit RGB/RGBA non-interlaced PNG is supported (depth {depth}, colour type {colour}, interlace {interlace})");
                }
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }
            pos += 12 + length;
        }
        if (width <= 0 || height <= 0)
        {
            throw new RealtimeSegException($"{path} has no image header");
        }

        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        int stride = width * channels;
        var prev = new byte[stride];
        var cur = new byte[stride];
        var frame = Frame.Allocate(width, height, PixelFormat.Rgb24);
        try
        {
            for (int y = 0; y < height; y++)
            {
                int filter = z.ReadByte();
                z.ReadExactly(cur);
                Unfilter(filter, cur, prev, channels, path);
                var row = frame.Row(y);
                for (int x = 0; x < width; x++)
                {
                    row[3 * x] = cur[x * channels];
                    row[3 * x + 1] = cur[x * channels + 1];
                    row[3 * x + 2] = cur[x * channels + 2];
                }
                (prev, cur) = (cur, prev);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            frame.Dispose();
            throw new RealtimeSegException($"{path} is truncated or corrupt: {e.Message}");
        }
        return frame;
    }

    private static void Unfilter(int filter, byte[] cur, byte[] prev, int bpp, string path)
    {
        for (int i = 0; i < cur.Length; i++)
        {
            int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
            cur[i] = filter switch
            {
                0 => cur[i],
                1 => (byte)(cur[i] + a),
                2 => (byte)(cur[i] + b),
                3 => (byte)(cur[i] + ((a + b) >> 1)),
                4 => (byte)(cur[i] + Paeth(a, b, c)),
                _ => throw new RealtimeSegException($"{path}: bad PNG row filter {filter}"),
            };
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        output.Write(typeBytes);
        output.Write(data);
        uint crc = Crc(Crc(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return crc;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
