using System.Buffers;

namespace RealtimeSeg.Runtime.Imaging;

/// <summary>Byte layout of a frame's pixels.</summary>
public enum PixelFormat { Rgb24, Bgr24, Bgra32 }

public static class PixelFormats
{
    public static int BytesPerPixel(this PixelFormat format) => format == PixelFormat.Bgra32 ? 4 : 3;

    /// <summary>Byte offsets of red, green and blue within one pixel.</summary>
    public static (int R, int G, int B) ChannelOffsets(this PixelFormat format) => format switch
    {
        PixelFormat.Rgb24 => (0, 1, 2),
        PixelFormat.Bgr24 => (2, 1, 0),
        PixelFormat.Bgra32 => (2, 1, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}

/// <summary>
/// One video frame: pixels with a row stride, an id and the time it was captured. The pixel buffer is rented
/// from a pool and goes back on <see cref="Dispose"/>.
/// </summary>
public sealed class Frame : IDisposable
{
    private byte[]? _buffer;
    private readonly bool _pooled;

    private Frame(byte[] buffer, bool pooled, int width, int height, int stride, PixelFormat format)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentException($"frame size must be positive, got {width}x{height}");
        }
        if (stride < width * format.BytesPerPixel() || buffer.Length < (long)stride * height)
        {
            throw new ArgumentException($"buffer of {buffer.Length} bytes with stride {stride} is too small for a {width}x{height} {format} frame");
        }
        _buffer = buffer;
        _pooled = pooled;
        Width = width;
        Height = height;
        Stride = stride;
        Format = format;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Bytes from one row to the next (at least Width × bytes per pixel).</summary>
    public int Stride { get; }

    public PixelFormat Format { get; }

    /// <summary>Increasing number given by the source.</summary>
    public long Id { get; set; }

    /// <summary>When the frame was captured, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long Timestamp { get; set; }

    public Span<byte> Pixels => (_buffer ?? throw new ObjectDisposedException(nameof(Frame))).AsSpan(0, Stride * Height);

    public Span<byte> Row(int y) => Pixels.Slice(y * Stride, Width * Format.BytesPerPixel());

    /// <summary>A frame over a pooled buffer (contents unspecified).</summary>
    public static Frame Allocate(int width, int height, PixelFormat format)
    {
        int stride = width * format.BytesPerPixel();
        return new Frame(ArrayPool<byte>.Shared.Rent(stride * height), pooled: true, width, height, stride, format);
    }

    /// <summary>A frame over the caller's buffer (not returned to any pool).</summary>
    public static Frame Wrap(byte[] pixels, int width, int height, PixelFormat format, int stride = 0) =>
        new(pixels, pooled: false, width, height, stride == 0 ? width * format.BytesPerPixel() : stride, format);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null && _pooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
