using System.Diagnostics;

namespace RealtimeSeg.Capture.Ffmpeg;

/// <summary>
/// One ffmpeg or ffprobe child process: stdout as a stream, the last lines of stderr kept for error messages
/// (FFmpeg says why it failed there), and a prompt, idempotent <see cref="Kill"/> for shutdown.
/// </summary>
internal sealed class FfmpegProcess : IDisposable
{
    private const int TailLines = 40;
    private readonly Process _process;
    private readonly Queue<string> _stderrTail = new(TailLines);
    private readonly Lock _tailLock = new();
    private int _killed;

    public FfmpegProcess(string executable, IEnumerable<string> arguments, bool stdin = false)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        CommandLine = executable + " " + string.Join(' ', info.ArgumentList.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
        _process = new Process { StartInfo = info };
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        try
        {
            _process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CaptureException($"could not start {executable}: {e.Message}; {FfmpegTools.InstallHint}", e);
        }
        _process.BeginErrorReadLine();
    }

    public string CommandLine { get; }

    public Stream Output => _process.StandardOutput.BaseStream;

    public Stream Input => _process.StandardInput.BaseStream;

    public bool WasKilled => Volatile.Read(ref _killed) != 0;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>The last lines FFmpeg wrote to stderr (at most 3), joined into one line for an error message.</summary>
    public string StderrTail
    {
        get
        {
            var lines = StderrLines;
            return string.Join(" | ", lines.Skip(Math.Max(0, lines.Count - 3)));
        }
    }

    /// <summary>The last lines of stderr, oldest first.</summary>
    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (_tailLock)
            {
                return [.. _stderrTail];
            }
        }
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }
        _process.WaitForExit(); // drains the async stderr reader so StderrTail is complete
        return true;
    }

    public void Kill()
    {
        if (Interlocked.Exchange(ref _killed, 1) != 0)
        {
            return;
        }
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // it exited between the check and the kill
        }
    }

    /// <summary>FFmpeg's description of the first input video stream (at log level info), e.g. "Stream #0:0: Video: h264 …, 640x480, 30 fps".</summary>
    public string? InputVideoStream { get; private set; }

    private void Remember(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }
        lock (_tailLock)
        {
            if (InputVideoStream is null && line.Contains("Stream #0:", StringComparison.Ordinal) && line.Contains("Video:", StringComparison.Ordinal))
            {
                InputVideoStream = line.Trim();
            }
            if (_stderrTail.Count == TailLines)
            {
                _stderrTail.Dequeue();
            }
            _stderrTail.Enqueue(line.Trim());
        }
    }

    public void Dispose()
    {
        Kill();
        try
        {
            _process.WaitForExit(1000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
