using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>
/// A video file decoded inside this process by FFmpeg's own libraries, straight from the decoder's planes into
/// pooled <see cref="PixelFormat.Yuv420"/> frames: one copy, no second process, no pipe. It is what
/// <c>ffmpeg -i FILE -f null -</c> does plus that copy, which is why capture of a file can run at FFmpeg's own
/// speed. It decodes only what the Y4M pipe would carry unchanged (8-bit 4:2:0 of even size, every frame or every
/// Nth); a file that needs FFmpeg's filters (a scale, pacing) keeps the pipe (see <see cref="CanDecode"/>).
/// One thread reads; <see cref="Interrupt"/> may come from any.
/// </summary>
internal sealed unsafe class LibavDecoder : IPipeReader, IDisposable
{
    private void* _format;
    private void* _codec;
    private void* _packet;
    private void* _frame;
    private int _stream;
    private int _width, _height;
    private readonly int _stride;
    private readonly YuvColor _color;
    private long _decoded;
    private int _corruptPackets;
    private bool _draining;
    private volatile bool _interrupted;
    private readonly LibavLog.Messages _log = new();
    // Held for each Read and for Dispose: a capture thread still inside the decoder when its loop gives up waiting
    // is finished (it returns within a packet of the interrupt) before the contexts are freed under it.
    private readonly Lock _gate = new();

    private LibavDecoder(DecodeFormat format, int stride)
    {
        _stride = stride;
        _color = new YuvColor(format.Matrix, format.PixFmt == "yuvj420p");
    }

    // Apart from the constructor so that a failure half-way releases what was made (TryOpen disposes).
    private void Open(string path)
    {
        using var log = LibavLog.Capture(_log);
        void* context = null;
        Check(Libav.avformat_open_input(&context, path, null, null), path, "open");
        _format = context;
        Check(Libav.avformat_find_stream_info(_format, null), path, "read the streams of");
        void* decoder = null;
        _stream = Libav.av_find_best_stream(_format, Libav.MediaTypeVideo, -1, -1, &decoder, 0);
        Check(_stream, path, "find a video stream in");
        var streams = (void**)Libav.Read<nint>(_format, Libav.Offsets.FormatContextStreams);
        void* parameters = (void*)Libav.Read<nint>(streams[_stream], Libav.Offsets.StreamCodecParameters);
        int pixelFormat = Libav.Read<int>(parameters, Libav.Offsets.ParametersFormat);
        _width = Libav.Read<int>(parameters, Libav.Offsets.ParametersWidth);
        _height = Libav.Read<int>(parameters, Libav.Offsets.ParametersHeight);
        if (pixelFormat is not (Libav.PixelFormatYuv420P or Libav.PixelFormatYuvj420P) || _width <= 0 || _height <= 0 || _width % 2 != 0 || _height % 2 != 0)
        {
            throw new NotSupportedException($"the stream is pixel format {pixelFormat}, {_width}x{_height}: not 8-bit 4:2:0 of even size");
        }
        _codec = Libav.avcodec_alloc_context3(decoder);
        if (_codec == null)
        {
            throw new OutOfMemoryException("avcodec_alloc_context3 failed");
        }
        Check(Libav.avcodec_parameters_to_context(_codec, parameters), path, "read the codec parameters of");
        // As the ffmpeg tool does: as many decoding threads as the machine has cores.
        void* options = null;
        Libav.av_dict_set(&options, "threads", "auto", 0);
        int opened = Libav.avcodec_open2(_codec, decoder, &options);
        Libav.av_dict_free(&options);
        Check(opened, path, "open the decoder of");
        _packet = Libav.av_packet_alloc();
        _frame = Libav.av_frame_alloc();
        if (_packet == null || _frame == null)
        {
            throw new OutOfMemoryException("av_packet_alloc or av_frame_alloc failed");
        }
    }

    /// <summary>Whether this file, with these options, may skip the pipe: nothing asked of FFmpeg but decoding.</summary>
    public static bool CanDecode(SourceSpec spec, SourceOptions options, DecodeFormat format) =>
        spec.Kind == SourceKind.VideoFile && format.Yuv && !options.DecodeThroughPipe && !options.Realtime && !options.HasSize
        && Libav.Probe() is null;

    /// <summary>The decoder, or null when the libraries cannot open the file or its stream is not 8-bit 4:2:0 (the pipe then takes it).</summary>
    public static LibavDecoder? TryOpen(string path, DecodeFormat format, int stride)
    {
        var decoder = new LibavDecoder(format, stride);
        try
        {
            decoder.Open(path);
            return decoder;
        }
        catch (Exception e) when (e is NotSupportedException or CaptureException or OutOfMemoryException)
        {
            decoder.Dispose();
            return null;
        }
    }

    public bool EndedMidFrame => false;

    /// <summary>Frames the decoder gave so far, those skipped by the stride included.</summary>
    public long Decoded => _decoded;

    /// <summary>Why decoding stopped before the end of the file, if it did; corrupt packets skipped are counted here too.</summary>
    public string? EndReason { get; private set; }

    /// <summary>
    /// The next frame (every <c>stride</c>-th decoded), or null at the end. Corrupt packets are skipped, as the
    /// ffmpeg tool skips them, and counted in <see cref="EndReason"/>.
    /// </summary>
    public Frame? Read(FramePool pool)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_codec == null, this);
            using var log = LibavLog.Capture(_log);
            return Decode(pool);
        }
    }

    private Frame? Decode(FramePool pool)
    {
        while (!_interrupted)
        {
            int received = Libav.avcodec_receive_frame(_codec, _frame);
            if (received == 0)
            {
                if (_decoded++ % _stride != 0)
                {
                    Libav.av_frame_unref(_frame);
                    continue;
                }
                return Copy(pool);
            }
            if (received == Libav.ErrorEof)
            {
                return End();
            }
            if (received != Libav.ErrorAgain)
            {
                EndReason = $"FFmpeg's decoder stopped after {_decoded} frames: {_log.Last ?? Libav.Describe(received)}";
                return null;
            }
            if (_draining)
            {
                return End();
            }
            int read = Libav.av_read_frame(_format, _packet);
            if (read < 0)
            {
                if (read != Libav.ErrorEof)
                {
                    EndReason = $"reading stopped after {_decoded} frames: {Libav.Describe(read)}";
                }
                _draining = true;
                Libav.avcodec_send_packet(_codec, null); // flush: the frames the decoder still holds come out next
                continue;
            }
            if (Libav.Read<int>(_packet, Libav.Offsets.PacketStreamIndex) == _stream && Libav.avcodec_send_packet(_codec, _packet) < 0)
            {
                _corruptPackets++;
            }
            Libav.av_packet_unref(_packet);
        }
        EndReason = "stopped";
        return null;
    }

    /// <summary>Makes a blocked or later <see cref="Read"/> return null (a file never blocks long: one packet).</summary>
    public void Interrupt() => _interrupted = true;

    private Frame? End()
    {
        if (EndReason is null && _log.Last is { } logged)
        {
            EndReason = $"the source ended with FFmpeg reporting: {logged}";
        }
        if (_corruptPackets > 0 && EndReason is null)
        {
            EndReason = $"FFmpeg's decoder skipped {_corruptPackets} corrupt packet(s)";
        }
        return null;
    }

    private Frame Copy(FramePool pool)
    {
        try
        {
            int width = Libav.Read<int>(_frame, Libav.Offsets.FrameWidth), height = Libav.Read<int>(_frame, Libav.Offsets.FrameHeight);
            int format = Libav.Read<int>(_frame, Libav.Offsets.FrameFormat);
            if (width != _width || height != _height || format is not (Libav.PixelFormatYuv420P or Libav.PixelFormatYuvj420P))
            {
                // The Y4M pipe has the same rule: the stream's size is fixed when it opens.
                throw new CaptureException($"the video changed to {width}x{height} (pixel format {format}) mid-stream from {_width}x{_height}; convert it to one size first (ffmpeg -i IN -vf scale={_width}:{_height} OUT.mp4)");
            }
            var frame = pool.Rent(_width, _height, PixelFormat.Yuv420);
            frame.Color = _color;
            for (int plane = 0; plane < 3; plane++)
            {
                byte* source = (byte*)Libav.Read<nint>(_frame, Libav.Offsets.FrameData + plane * sizeof(nint));
                int sourceStride = Libav.Read<int>(_frame, Libav.Offsets.FrameLinesize + plane * sizeof(int));
                int rows = plane == 0 ? _height : _height / 2, bytes = plane == 0 ? _width : _width / 2;
                var into = frame.Plane(plane);
                int stride = frame.PlaneStride(plane);
                for (int y = 0; y < rows; y++)
                {
                    new ReadOnlySpan<byte>(source + (long)y * sourceStride, bytes).CopyTo(into.Slice(y * stride, bytes));
                }
            }
            return frame;
        }
        finally
        {
            Libav.av_frame_unref(_frame);
        }
    }

    private static void Check(int status, string path, string what)
    {
        if (status < 0)
        {
            throw new CaptureException($"FFmpeg could not {what} '{path}': {Libav.Describe(status)}");
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            Free();
        }
    }

    private void Free()
    {
        fixed (void** frame = &_frame)
        {
            Libav.av_frame_free(frame);
        }
        fixed (void** packet = &_packet)
        {
            Libav.av_packet_free(packet);
        }
        fixed (void** codec = &_codec)
        {
            Libav.avcodec_free_context(codec);
        }
        fixed (void** format = &_format)
        {
            Libav.avformat_close_input(format);
        }
    }
}
