using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>
/// Grows the pipe FFmpeg writes frames into. Linux pipes hold 64 KiB by default, so a 640x480 RGB frame (900 KiB)
/// crosses in 15 writer/reader hand-offs; at 1 MiB it crosses in one, which is what makes the pipe as cheap as
/// FFmpeg's own decode (measured with bench-decode). Best effort: elsewhere, or when refused, the default stays.
/// </summary>
internal static partial class PipeBuffer
{
    private const int FSetPipeSize = 1031; // F_SETPIPE_SZ from linux/fcntl.h
    public const int Preferred = 1 << 20;  // the unprivileged limit (/proc/sys/fs/pipe-max-size) by default

    public static int TryGrow(Stream pipe, int bytes = Preferred)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        var handle = pipe switch
        {
            PipeStream p => (SafeHandle)p.SafePipeHandle,
            FileStream f => f.SafeFileHandle,
            _ => null,
        };
        if (handle is null || handle.IsInvalid)
        {
            return 0;
        }
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            int got = Fcntl(fd, FSetPipeSize, bytes);
            return got > 0 ? got : 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);
}
