using System.Runtime.InteropServices;

namespace RealtimeSeg.Runtime.Onnx.Native;

/// <summary>
/// Redirects the process's native stderr (fd 2) to a temporary file for a short probe and gives back what was
/// written. Used while ORT tries a GPU provider that may not be there: Dawn and the Vulkan loader print straight
/// to fd 2, and an expected failure should not look like an error to the user. Unix only; a no-op elsewhere.
/// </summary>
internal sealed partial class StderrCapture : IDisposable
{
    private const int StderrFd = 2;
    private int _saved = -1;
    private string? _path;

    public StderrCapture()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        _path = System.IO.Path.GetTempFileName();
        int fd = open(_path, 0x1 /* O_WRONLY */);
        if (fd < 0)
        {
            return;
        }
        Console.Error.Flush();
        _saved = dup(StderrFd);
        dup2(fd, StderrFd);
        close(fd);
    }

    /// <summary>Restores stderr and returns the captured text.</summary>
    public string Stop()
    {
        if (_saved >= 0)
        {
            dup2(_saved, StderrFd);
            close(_saved);
            _saved = -1;
        }
        if (_path is null)
        {
            return "";
        }
        string text = File.Exists(_path) ? File.ReadAllText(_path) : "";
        File.Delete(_path);
        _path = null;
        return text.Trim();
    }

    public void Dispose() => Stop();

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc")]
    private static partial int dup(int fd);

    [LibraryImport("libc")]
    private static partial int dup2(int oldFd, int newFd);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
