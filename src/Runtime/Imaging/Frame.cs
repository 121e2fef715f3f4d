using System.Buffers;

namespace RealtimeSeg.Runtime.Imaging;

/// <summary>Byte layout of a frame's pixels.</summary>
public enum PixelFormat
{
    /// <summary>Red, green, blue: 3 bytes a pixel (FFmpeg's rgb24).</summary>
    Rgb24,
    /// <summary>Blue, green, red: 3 bytes a pixel (OpenCV's order).</summary>
    Bgr24,
    /// <summary>Blue, green, red, alpha: 4 bytes a pixel (GL readback order; alpha is ignored as input).</summary>
    Bgra32,

    /// <summary>Red, green, blue, alpha: 4 bytes a pixel, the layout most GL hosts hold (alpha is ignored).</summary>
    Rgba32,
    /// <summary>One byte per pixel: luminance only.</summary>
    Gray8,

    /// <summary>
    /// Planar YUV 4:2:0 in FFmpeg's yuv420p layout: a Width x Height luma plane (<see cref="Frame.Stride"/> apart),
    /// then the U and V planes at half width and height (Stride / 2 apart), one after another in one buffer. Width,
    /// Height and Stride are even. How the values map to RGB is the frame's <see cref="Frame.Color"/>.
    /// </summary>
    Yuv420,
}

/// <summary>Facts about each <see cref="PixelFormat"/>.</summary>
public static class PixelFormats
{
    /// <summary>Bytes one pixel takes (for <see cref="PixelFormat.Yuv420"/>, the luma plane's: 1).</summary>
    public static int BytesPerPixel(this PixelFormat format) => format switch
    {
        PixelFormat.Bgra32 or PixelFormat.Rgba32 => 4,
        PixelFormat.Gray8 or PixelFormat.Yuv420 => 1, // Yuv420: the luma plane's
        _ => 3,
    };

    /// <summary>Byte offsets of red, green and blue within one pixel.</summary>
    public static (int R, int G, int B) ChannelOffsets(this PixelFormat format) => format switch
    {
        PixelFormat.Rgb24 => (0, 1, 2),
        PixelFormat.Bgr24 => (2, 1, 0),
        PixelFormat.Bgra32 => (2, 1, 0),
        PixelFormat.Rgba32 => (0, 1, 2),
        PixelFormat.Gray8 => throw new ArgumentException("a one-channel (Gray8) frame has no colour channels", nameof(format)),
        PixelFormat.Yuv420 => throw new ArgumentException("a planar YUV 4:2:0 frame has no interleaved colour channels", nameof(format)),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}

/// <summary>
/// One video frame: pixels with a row stride, an id and the time it was captured. Frames are reference-counted:
/// each holder (pipeline, renderer, recorder) that keeps one past a call takes a reference with
/// <see cref="Retain"/> and gives it back with <see cref="Dispose"/>; when the last reference goes, the pixels
/// return to their <see cref="FramePool"/> (or to the shared array pool). A frame must not be touched after
/// its holder disposed it.
/// </summary>
public sealed class Frame : IDisposable
{
    private byte[]? _buffer;
    private readonly FramePool? _owner;
    private readonly bool _rented;
    private int _references;
    private static long _generations; // a process-wide counter: generations never repeat across pools

    private Frame(byte[] buffer, FramePool? owner, bool rented, int width, int height, int stride, PixelFormat format)
    {
        _buffer = buffer;
        _owner = owner;
        _rented = rented;
        Reinitialise(width, height, stride, format);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; private set; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; private set; }

    /// <summary>Bytes from one row to the next (at least Width × bytes per pixel).</summary>
    public int Stride { get; private set; }

    /// <summary>How the pixels are laid out.</summary>
    public PixelFormat Format { get; private set; }

    /// <summary>
    /// For <see cref="PixelFormat.Yuv420"/> frames, the matrix and range that map the planes to RGB (the source
    /// sets it after renting; a fresh frame says BT.601, limited range). Ignored for the RGB formats.
    /// </summary>
    public YuvColor Color { get; set; }

    /// <summary>Increasing number given by the source.</summary>
    public long Id { get; set; }

    /// <summary>When the frame was captured, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long Timestamp { get; set; }

    /// <summary>
    /// Changes each time the frame object is handed out anew (rented from its pool): with <see cref="Id"/>, it tells
    /// a renderer that pixels it uploaded before are not this frame's, even if a host never sets an id.
    /// </summary>
    internal long Generation { get; private set; }

    /// <summary>Live references; 0 once the last holder has released the frame.</summary>
    public int References => Volatile.Read(ref _references);

    /// <summary>The pixel bytes, <see cref="Stride"/> apart row to row; throws once the frame was released.</summary>
    public Span<byte> Pixels => _references > 0 && _buffer is { } b
        ? b.AsSpan(0, BufferSize(Stride, Height, Format))
        : throw new ObjectDisposedException(nameof(Frame), "this frame was released; take a reference with Retain() to keep it");

    /// <summary>Row <paramref name="y"/>'s pixels (Width × bytes per pixel), top row 0.</summary>
    public Span<byte> Row(int y) => Pixels.Slice(y * Stride, Width * Format.BytesPerPixel());

    /// <summary>
    /// Plane <paramref name="index"/>: for <see cref="PixelFormat.Yuv420"/>, 0 is luma (Height rows,
    /// <see cref="Stride"/> apart), 1 is U and 2 is V (Height / 2 rows, Stride / 2 apart); for the packed formats
    /// plane 0 is all the pixels.
    /// </summary>
    public Span<byte> Plane(int index)
    {
        var pixels = Pixels;
        if (Format != PixelFormat.Yuv420)
        {
            return index == 0 ? pixels : throw new ArgumentOutOfRangeException(nameof(index), index, $"a {Format} frame has one plane");
        }
        if (index is < 0 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "a YUV 4:2:0 frame has planes 0 (Y), 1 (U) and 2 (V)");
        }
        int start = PlaneOffset(Stride, Height, index);
        return pixels.Slice(start, index == 0 ? Stride * Height : Stride * Height / 4);
    }

    /// <summary>Where plane <paramref name="index"/> of a YUV 4:2:0 image with luma rows <paramref name="stride"/> apart starts (I420 order).</summary>
    internal static int PlaneOffset(int stride, int height, int index) => index switch
    {
        0 => 0,
        1 => stride * height,
        _ => stride * height + stride * height / 4,
    };

    /// <summary>Bytes from one row of plane <paramref name="index"/> to the next.</summary>
    public int PlaneStride(int index) => index == 0 || Format != PixelFormat.Yuv420 ? Stride : Stride / 2;

    internal int Capacity => _buffer?.Length ?? 0;

    /// <summary>
    /// The longest side any frame from outside may have (16K): a host's push, a header on FFmpeg's pipe, a picture
    /// an annotation declares. Past it a frame would be gigabytes, so the input is a mistake, never a picture.
    /// </summary>
    public const int MaxSide = 16384;

    /// <summary>A frame over a buffer rented from the shared array pool (contents unspecified).</summary>
    public static Frame Allocate(int width, int height, PixelFormat format)
    {
        int stride = CheckedStride(width, height, format);
        return new Frame(ArrayPool<byte>.Shared.Rent(BufferSize(stride, height, format)), owner: null, rented: true, width, height, stride, format);
    }

    /// <summary>A frame over the caller's buffer (not returned to any pool).</summary>
    public static Frame Wrap(byte[] pixels, int width, int height, PixelFormat format, int stride = 0)
    {
        int minimum = CheckedStride(width, height, format);
        stride = stride == 0 ? minimum : stride;
        if (stride < minimum || (format == PixelFormat.Yuv420 && stride % 2 != 0) || pixels.Length < BufferSize(stride, height, format))
        {
            throw new ArgumentException($"buffer of {pixels.Length} bytes with stride {stride} is too small for a {width}x{height} {format} frame");
        }
        return new Frame(pixels, owner: null, rented: false, width, height, stride, format);
    }

    internal static Frame ForPool(FramePool owner, int width, int height, PixelFormat format)
    {
        int stride = CheckedStride(width, height, format);
        return new Frame(GC.AllocateUninitializedArray<byte>(BufferSize(stride, height, format)), owner, rented: false, width, height, stride, format);
    }

    /// <summary>Takes another reference to a live frame; each Retain needs its own Dispose.</summary>
    public Frame Retain() => ReferenceCount.TryAdd(ref _references) ? this
        : throw new ObjectDisposedException(nameof(Frame), "cannot retain a frame that was already released");

    /// <summary>Gives back one reference; the last one returns the pixels to their pool (a second Dispose by the last holder is harmless).</summary>
    public void Dispose()
    {
        if (!ReferenceCount.Release(ref _references))
        {
            return;
        }
        if (_owner is not null)
        {
            _owner.Return(this);
        }
        else if (Interlocked.Exchange(ref _buffer, null) is { } buffer && _rented)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reuses a pooled frame for new pixels: one reference, fresh size, no id or time yet.</summary>
    internal void Reinitialise(int width, int height, int stride, PixelFormat format)
    {
        Width = width;
        Height = height;
        Stride = stride;
        Format = format;
        Id = 0;
        Timestamp = 0;
        Color = default;
        Generation = Interlocked.Increment(ref _generations);
        _references = 1;
    }

    internal void DropBuffer() => _buffer = null;

    /// <summary>Bytes a frame's pixels take: rows times stride, plus the two quarter-size chroma planes for YUV 4:2:0.</summary>
    internal static int BufferSize(int stride, int height, PixelFormat format) =>
        format == PixelFormat.Yuv420 ? stride * height * 3 / 2 : stride * height;

    private static int CheckedStride(int width, int height, PixelFormat format)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentException($"frame size must be positive, got {width}x{height}");
        }
        if (format == PixelFormat.Yuv420 && (width % 2 != 0 || height % 2 != 0))
        {
            throw new ArgumentException($"a YUV 4:2:0 frame needs an even size, got {width}x{height}");
        }
        long stride = (long)width * format.BytesPerPixel();
        if (stride * height * 3 / 2 > Array.MaxLength)
        {
            throw new ArgumentException($"a {width}x{height} frame is too large");
        }
        return (int)stride;
    }
}
