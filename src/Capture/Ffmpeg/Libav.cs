using System.Runtime.InteropServices;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>
/// The few entry points of FFmpeg's libraries that in-process decoding needs, bound to one ABI: FFmpeg 5.1
/// (libavformat 59, libavcodec 59, libavutil 57, Debian 12's). FFmpeg's structs change layout between major
/// versions, and the fields read here are read at offsets (<see cref="Offsets"/>), so any other major version is
/// refused by <see cref="Probe"/> and capture keeps the ffmpeg pipe. The offsets are checked against the
/// installed headers by a test (LibavDecoderTests compiles offsetof for each).
/// </summary>
internal static unsafe partial class Libav
{
    private const string Format = "libavformat.so.59";
    private const string Codec = "libavcodec.so.59";
    private const string Util = "libavutil.so.57";

    public const int FormatMajor = 59, CodecMajor = 59, UtilMajor = 57;

    /// <summary>Byte offsets of the fields read (x86-64 Linux, FFmpeg 5.1).</summary>
    internal static class Offsets
    {
        public const int FormatContextStreams = 48;   // AVFormatContext.streams
        public const int StreamCodecParameters = 208; // AVStream.codecpar
        public const int ParametersFormat = 28;       // AVCodecParameters.format
        public const int ParametersWidth = 56;        // AVCodecParameters.width
        public const int ParametersHeight = 60;       // AVCodecParameters.height
        public const int PacketStreamIndex = 36;      // AVPacket.stream_index
        public const int FrameData = 0;               // AVFrame.data[8]
        public const int FrameLinesize = 64;          // AVFrame.linesize[8]
        public const int FrameWidth = 104;            // AVFrame.width
        public const int FrameHeight = 108;           // AVFrame.height
        public const int FrameFormat = 116;           // AVFrame.format
    }

    public const int PixelFormatYuv420P = 0, PixelFormatYuvj420P = 12; // AVPixelFormat
    public const int MediaTypeVideo = 0;                                // AVMEDIA_TYPE_VIDEO
    public const int ErrorAgain = -11;                                  // AVERROR(EAGAIN)
    public const int ErrorEof = -541478725;                             // AVERROR_EOF, FFERRTAG('E','O','F',' ')

    private static readonly Lazy<string?> Unavailable = new(FindUnavailable);

    /// <summary>Null when this process can decode in process; else why not, in words (for logs and benchmarks).</summary>
    public static string? Probe() => Unavailable.Value;

    /// <summary>"libavcodec 59.37.100": the library version decoding (for the pixel-path description).</summary>
    public static string CodecVersion
    {
        get
        {
            uint v = avcodec_version();
            return $"libavcodec {v >> 16}.{(v >> 8) & 0xff}.{v & 0xff}";
        }
    }

    private static string? FindUnavailable()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return "in-process decoding is bound to Linux x86-64 (the layout checked)";
        }
        foreach (string library in new[] { Util, Codec, Format })
        {
            if (!NativeLibrary.TryLoad(library, out nint handle))
            {
                return $"{library} is not installed (Debian 12: apt-get install libavformat59)";
            }
            NativeLibrary.Free(handle);
        }
        var (f, c, u) = (avformat_version() >> 16, avcodec_version() >> 16, avutil_version() >> 16);
        return f == FormatMajor && c == CodecMajor && u == UtilMajor ? null
            : $"FFmpeg's libraries are libavformat {f}, libavcodec {c}, libavutil {u}; in-process decoding is bound to {FormatMajor}/{CodecMajor}/{UtilMajor} (FFmpeg 5.1)";
    }

    /// <summary>FFmpeg's text for an error code, as its tools print it.</summary>
    public static string Describe(int error)
    {
        byte* text = stackalloc byte[256];
        return av_strerror(error, text, 256) == 0 ? Marshal.PtrToStringUTF8((nint)text) ?? $"error {error}" : $"error {error}";
    }

    public static T Read<T>(void* at, int offset) where T : unmanaged => *(T*)((byte*)at + offset);

    [LibraryImport(Format)] public static partial uint avformat_version();
    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial int avformat_open_input(void** context, string url, void* format, void** options);
    [LibraryImport(Format)] public static partial int avformat_find_stream_info(void* context, void** options);
    [LibraryImport(Format)] public static partial int av_find_best_stream(void* context, int type, int wanted, int related, void** decoder, int flags);
    [LibraryImport(Format)] public static partial int av_read_frame(void* context, void* packet);
    [LibraryImport(Format)] public static partial void avformat_close_input(void** context);

    [LibraryImport(Codec)] public static partial uint avcodec_version();
    [LibraryImport(Codec)] public static partial void* avcodec_alloc_context3(void* codec);
    [LibraryImport(Codec)] public static partial int avcodec_parameters_to_context(void* context, void* parameters);
    [LibraryImport(Codec)] public static partial int avcodec_open2(void* context, void* codec, void** options);
    [LibraryImport(Codec)] public static partial void avcodec_free_context(void** context);
    [LibraryImport(Codec)] public static partial int avcodec_send_packet(void* context, void* packet);
    [LibraryImport(Codec)] public static partial int avcodec_receive_frame(void* context, void* frame);
    [LibraryImport(Codec)] public static partial void* av_packet_alloc();
    [LibraryImport(Codec)] public static partial void av_packet_unref(void* packet);
    [LibraryImport(Codec)] public static partial void av_packet_free(void** packet);

    [LibraryImport(Util)] public static partial uint avutil_version();
    [LibraryImport(Util)] public static partial void* av_frame_alloc();
    [LibraryImport(Util)] public static partial void av_frame_unref(void* frame);
    [LibraryImport(Util)] public static partial void av_frame_free(void** frame);
    [LibraryImport(Util, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_dict_set(void** dictionary, string key, string value, int flags);
    [LibraryImport(Util)] public static partial void av_dict_free(void** dictionary);
    [LibraryImport(Util)] private static partial int av_strerror(int error, byte* buffer, nuint size);
    [LibraryImport(Util)] public static partial void av_log_set_callback(delegate* unmanaged<void*, int, byte*, void*, void> callback);
    [LibraryImport(Util)] public static partial void av_log_default_callback(void* context, int level, byte* format, void* arguments);
    [LibraryImport(Util)] public static partial int av_log_format_line2(void* context, int level, byte* format, void* arguments, byte* line, int size, int* printPrefix);

    public const int LogError = 16, LogWarning = 24; // AV_LOG_ERROR, AV_LOG_WARNING
}
