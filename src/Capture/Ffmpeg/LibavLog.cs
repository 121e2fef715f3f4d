using System.Runtime.InteropServices;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>
/// What FFmpeg's libraries log while our decoder calls them. They log to stderr by default, which would put
/// "[matroska,webm @ 0x…] File ended prematurely" among the CLI's own lines; the ffmpeg tool behind the pipe kept
/// such lines in its log, and the source quoted them as its end reason. So while a thread of ours is inside a
/// decoder call (<see cref="Capture"/>), the warnings and errors logged on that thread are kept for that decoder
/// instead; every other message (another thread's, or another user of FFmpeg in the process) goes to FFmpeg's
/// default logger as before. FFmpeg has one log callback per process: it is set once, on the first decoder.
/// </summary>
internal static unsafe class LibavLog
{
    [ThreadStatic] private static Messages? t_capturing;

    private static readonly Lazy<bool> Installed = new(() =>
    {
        Libav.av_log_set_callback(&OnLog);
        return true;
    });

    /// <summary>The last warning or error logged on this thread while it captured.</summary>
    public sealed class Messages
    {
        public string? Last { get; internal set; }
    }

    /// <summary>Routes this thread's messages into <paramref name="into"/> until the returned scope ends.</summary>
    public static Scope Capture(Messages into)
    {
        _ = Installed.Value;
        var previous = t_capturing;
        t_capturing = into;
        return new Scope(previous);
    }

    public readonly ref struct Scope(Messages? previous)
    {
        public void Dispose() => t_capturing = previous;
    }

    [UnmanagedCallersOnly]
    private static void OnLog(void* context, int level, byte* format, void* arguments)
    {
        var into = t_capturing;
        if (into is null)
        {
            Libav.av_log_default_callback(context, level, format, arguments);
            return;
        }
        if (level > Libav.LogWarning)
        {
            return; // info and debug: what the ffmpeg tool would not have shown at -loglevel error either
        }
        const int Size = 512;
        byte* line = stackalloc byte[Size];
        int prefix = 1;
        if (Libav.av_log_format_line2(context, level, format, arguments, line, Size, &prefix) >= 0)
        {
            into.Last = Marshal.PtrToStringUTF8((nint)line)?.Trim();
        }
    }
}
