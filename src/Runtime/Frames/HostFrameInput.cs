using System.Diagnostics;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Runtime.Frames;

/// <summary>
/// How a host engine feeds its own pixels to an <see cref="Pipeline.InferencePipeline"/>: each
/// <see cref="Publish(ReadOnlySpan{byte}, int, int, int, PixelFormat, long)"/> copies the host's RGBA, BGRA, RGB or BGR
/// rows (any stride) into a pooled frame (<see cref="PublishYuv420(ReadOnlySpan{byte}, int, int, int, YuvColor, long)"/> the planes of a YUV 4:2:0 image), stamps it with
/// the next id and its capture time, and hands it over newest wins (a frame the pipeline had no time for is dropped and counted). The host's buffer is free again when
/// Publish returns. Publish from one thread at a time; the pipeline reads from its own.
/// <code>
/// using var input = new HostFrameInput();
/// using var pipeline = new InferencePipeline(model, input);
/// pipeline.Start();
/// input.Publish(pixels, width, height, stride, PixelFormat.Rgba32);   // each engine frame
/// </code>
/// </summary>
public sealed class HostFrameInput : IFrameReader, IDisposable
{
    private readonly FramePool _pool = new();
    private readonly LatestFrame _latest = new();
    private long _nextId;
    private int _disposed;

    /// <summary>
    /// An input; <paramref name="displayFrames"/> &gt; 0 also keeps each published frame for display
    /// (<see cref="Display"/>, live mode).
    /// </summary>
    public HostFrameInput(int displayFrames = 0)
    {
        Display = displayFrames > 0 ? new FrameTap(displayFrames) : null;
    }

    /// <summary>Every published frame, for drawing the newest one live; null unless asked for.</summary>
    public FrameTap? Display { get; }

    /// <summary>Frames replaced by newer ones before the pipeline took them.</summary>
    public long Dropped => _latest.Dropped;

    /// <summary>Frames published so far.</summary>
    public long Published => Interlocked.Read(ref _nextId);

    /// <summary>
    /// Copies one image and publishes it; returns the id it was given.
    /// <paramref name="captureTimestamp"/> is when the host captured it, in <see cref="Stopwatch"/> ticks (latency
    /// is measured from it); 0 stamps now.
    /// </summary>
    public long Publish(ReadOnlySpan<byte> pixels, int width, int height, int stride, PixelFormat format, long captureTimestamp = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        int rowBytes = CheckLayout(width, height, stride, format);
        if (pixels.Length < (long)stride * (height - 1) + rowBytes)
        {
            throw new ArgumentException($"{pixels.Length} bytes cannot hold {height} rows of stride {stride} ({(long)stride * (height - 1) + rowBytes} needed)", nameof(pixels));
        }
        var frame = _pool.Rent(width, height, format);
        for (int y = 0; y < height; y++)
        {
            pixels.Slice(y * stride, rowBytes).CopyTo(frame.Row(y));
        }
        return Hand(frame, captureTimestamp);
    }

    /// <summary>
    /// Copies one planar YUV 4:2:0 image (I420: the luma plane, <paramref name="stride"/> bytes a row, then the U and
    /// V planes at half size, stride / 2 bytes a row, one after another, as decoders and cameras hand them over) and
    /// publishes it; returns its id. <paramref name="color"/> says how the planes map to RGB (default: BT.601,
    /// limited range). The model and the overlay convert at their own resolution: no RGB image is made.
    /// </summary>
    public long PublishYuv420(ReadOnlySpan<byte> planes, int width, int height, int stride, YuvColor color = default, long captureTimestamp = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (width <= 0 || height <= 0 || width > Frame.MaxSide || height > Frame.MaxSide || width % 2 != 0 || height % 2 != 0)
        {
            throw new ArgumentException($"a YUV 4:2:0 frame needs an even size of 2 to {Frame.MaxSide} a side, got {width}x{height}", nameof(width));
        }
        if (stride < width || stride % 2 != 0)
        {
            throw new ArgumentException($"stride {stride} must be even and at least the width {width}", nameof(stride));
        }
        long needed = (long)stride * height * 3 / 2;
        if (planes.Length < needed)
        {
            throw new ArgumentException($"{planes.Length} bytes cannot hold {width}x{height} YUV 4:2:0 planes of stride {stride} ({needed} needed)", nameof(planes));
        }
        var frame = _pool.Rent(width, height, PixelFormat.Yuv420);
        frame.Color = color;
        for (int plane = 0; plane < 3; plane++)
        {
            // The host's planes in the frame's own order, rows stride (chroma stride / 2) apart, into tight rows.
            int rows = plane == 0 ? height : height / 2, rowBytes = plane == 0 ? width : width / 2, step = plane == 0 ? stride : stride / 2;
            int from = Frame.PlaneOffset(stride, height, plane);
            var into = frame.Plane(plane);
            int intoStride = frame.PlaneStride(plane);
            for (int y = 0; y < rows; y++)
            {
                planes.Slice(from + y * step, rowBytes).CopyTo(into.Slice(y * intoStride, rowBytes));
            }
        }
        return Hand(frame, captureTimestamp);
    }

    // Stamps a filled frame with the next id and its capture time (0: now) and hands it over, newest wins.
    private long Hand(Frame frame, long captureTimestamp)
    {
        long id = Interlocked.Increment(ref _nextId);
        frame.Id = id;
        frame.Timestamp = captureTimestamp != 0 ? captureTimestamp : Stopwatch.GetTimestamp();
        Display?.Publish(frame);
        _latest.Publish(frame);
        return id;
    }

    /// <summary>As the span overload, over a pointer to the host's first row (<paramref name="stride"/> bytes apart).</summary>
    public unsafe long Publish(void* pixels, int width, int height, int stride, PixelFormat format, long captureTimestamp = 0)
    {
        if (pixels == null)
        {
            throw new ArgumentNullException(nameof(pixels));
        }
        long bytes = (long)stride * (height - 1) + CheckLayout(width, height, stride, format);
        if (bytes > int.MaxValue)
        {
            throw new ArgumentException($"a {width}x{height} frame at stride {stride} spans {bytes} bytes, over the 2 GiB a frame may span", nameof(stride));
        }
        return Publish(new ReadOnlySpan<byte>(pixels, (int)bytes), width, height, stride, format, captureTimestamp);
    }

    private static string Name(PixelFormat format) => format switch
    {
        PixelFormat.Rgba32 => "RGBA",
        PixelFormat.Bgra32 => "BGRA",
        PixelFormat.Rgb24 => "RGB",
        PixelFormat.Bgr24 => "BGR",
        _ => format.ToString(),
    };

    /// <summary>As the span overload, over a pointer to the host's luma plane, with U and V after it (I420).</summary>
    public unsafe long PublishYuv420(void* planes, int width, int height, int stride, YuvColor color = default, long captureTimestamp = 0)
    {
        if (planes == null)
        {
            throw new ArgumentNullException(nameof(planes));
        }
        if (width <= 0 || height <= 0 || width > Frame.MaxSide || height > Frame.MaxSide || stride < width || stride % 2 != 0)
        {
            // The span overload words these; a span over a negative or huge stride cannot even be made.
            return PublishYuv420(ReadOnlySpan<byte>.Empty, width, height, stride, color, captureTimestamp);
        }
        long bytes = (long)stride * height * 3 / 2;
        if (bytes > int.MaxValue)
        {
            throw new ArgumentException($"a {width}x{height} YUV frame at stride {stride} spans {bytes} bytes, over the 2 GiB a frame may span", nameof(stride));
        }
        return PublishYuv420(new ReadOnlySpan<byte>(planes, (int)bytes), width, height, stride, color, captureTimestamp);
    }

    /// <summary>The bytes of one row; throws for a format, size or stride a host frame cannot have (negative strides included).</summary>
    private static int CheckLayout(int width, int height, int stride, PixelFormat format)
    {
        if (format is not (PixelFormat.Rgba32 or PixelFormat.Bgra32 or PixelFormat.Rgb24 or PixelFormat.Bgr24))
        {
            throw new ArgumentException($"host frames are RGBA, BGRA, RGB or BGR; got {format}", nameof(format));
        }
        if (width <= 0 || height <= 0 || width > Frame.MaxSide || height > Frame.MaxSide)
        {
            throw new ArgumentException($"frame size {width}x{height} is out of range (1 to {Frame.MaxSide} a side)", nameof(width));
        }
        int rowBytes = width * format.BytesPerPixel();
        if (stride < rowBytes)
        {
            throw new ArgumentException($"stride {stride} is less than a row of {width} {Name(format)} pixels ({rowBytes} bytes); rows must be stored top first, stride bytes apart", nameof(stride));
        }
        return rowBytes;
    }

    /// <summary>No more frames: the pipeline ends once it has taken the last one.</summary>
    public void Complete()
    {
        _latest.Complete();
        Display?.Complete();
    }

    /// <inheritdoc />
    public WaitOutcome Wait(TimeSpan timeout, out Frame? item) => _latest.Wait(timeout, out item);

    /// <summary>Completes the input and returns any waiting frame to the pool; a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _latest.Complete();
        _latest.Clear(); // a frame the pipeline never took goes back to the pool
        Display?.Complete();
        Display?.Clear();
        _pool.Dispose();
    }
}
