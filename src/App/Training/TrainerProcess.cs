using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using RealtimeSeg.Runtime;

namespace RealtimeSeg.App.Training;

/// <summary>
/// The Python trainer (tools/train_maskrcnn.py) as a child process: its stdout is one JSON event a line, handed
/// to <c>onEvent</c>; its stderr (PyTorch's warnings, a crash's traceback) goes to a log file, shown only when it
/// fails in a way it did not explain itself. Ctrl+C (SIGINT, SIGTERM) is passed on, so the trainer stops at
/// the end of its step and saves; the terminal also sends it to the trainer's process group, which is harmless.
/// </summary>
internal sealed partial class TrainerProcess
{
    public const int Interrupted = 130;

    private const int SigInt = 2;

    public TrainerProcess(PythonRuntime python, string logPath)
    {
        Python = python;
        LogPath = logPath;
    }

    public PythonRuntime Python { get; }

    public string LogPath { get; }

    /// <summary>True once Ctrl+C reached this process while the trainer ran.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>Runs the trainer to its end; returns its exit status (0, 2 after an error event, 130 after Ctrl+C).</summary>
    public int Run(IReadOnlyList<string> args, Action<string, JsonElement> onEvent)
    {
        var psi = new ProcessStartInfo(Python.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-u");
        psi.ArgumentList.Add(Python.Trainer);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["PYTHONWARNINGS"] = "ignore::UserWarning";
        using var process = Process.Start(psi) ?? throw new RealtimeSegException($"could not start {Python.Executable}");
        using var log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
        var errors = Task.Run(() =>
        {
            while (process.StandardError.ReadLine() is { } line)
            {
                lock (log)
                {
                    log.WriteLine(line);
                }
            }
        });
        void Forward(PosixSignalContext context)
        {
            context.Cancel = true; // this process stays to report; the trainer saves and exits
            StopRequested = true;
            if (!process.HasExited)
            {
                _ = Kill(process.Id, SigInt);
            }
        }
        using (PosixSignalRegistration.Create(PosixSignal.SIGINT, Forward))
        using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, Forward))
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (!line.StartsWith('{'))
                {
                    lock (log)
                    {
                        log.WriteLine(line);
                    }
                    continue;
                }
                using var doc = JsonDocument.Parse(line);
                onEvent(doc.RootElement.GetProperty("event").GetString()!, doc.RootElement);
            }
            process.WaitForExit();
        }
        errors.Wait();
        return process.ExitCode;
    }

    /// <summary>The last line the trainer wrote to its log (a traceback's last line names the exception).</summary>
    public string LastLogLine() =>
        File.Exists(LogPath) ? File.ReadLines(LogPath).LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "" : "";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
