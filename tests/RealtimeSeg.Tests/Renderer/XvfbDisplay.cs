using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>
/// An X display for window tests: the one in DISPLAY when it answers, else an Xvfb started here (installed by
/// the bootstrap) and left running for the rest of the test run. Never skips: no display is a failure.
/// </summary>
internal static partial class XvfbDisplay
{
    private static readonly Lazy<string> Display = new(Start);
    private static Process? _xvfb;

    /// <summary>Makes sure DISPLAY names a live X server, for this process's native code (GLFW) too.</summary>
    public static string Ensure() => Display.Value;

    private static string Start()
    {
        string? existing = Environment.GetEnvironmentVariable("DISPLAY");
        if (!string.IsNullOrEmpty(existing) && File.Exists($"/tmp/.X11-unix/X{existing.TrimStart(':').Split('.')[0]}"))
        {
            return existing;
        }
        string xvfb = new[] { "/usr/bin/Xvfb", "/usr/local/bin/Xvfb" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Xvfb is not installed; the bootstrap installs it (apt-get install xvfb)");
        for (int number = 90 + Environment.ProcessId % 50; ; number++)
        {
            if (File.Exists($"/tmp/.X11-unix/X{number}") || File.Exists($"/tmp/.X{number}-lock"))
            {
                continue;
            }
            var psi = new ProcessStartInfo(xvfb) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string a in new[] { $":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp" })
            {
                psi.ArgumentList.Add(a);
            }
            _xvfb = Process.Start(psi)!;
            _ = _xvfb.StandardError.ReadToEndAsync();
            _ = _xvfb.StandardOutput.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!File.Exists($"/tmp/.X11-unix/X{number}") && !_xvfb.HasExited && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(20);
            }
            if (_xvfb.HasExited || !File.Exists($"/tmp/.X11-unix/X{number}"))
            {
                throw new InvalidOperationException($"Xvfb :{number} did not start");
            }
            AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { _xvfb.Kill(); } catch (InvalidOperationException) { } };
            string display = $":{number}";
            // .NET keeps its own copy of the environment; GLFW reads the C library's.
            Environment.SetEnvironmentVariable("DISPLAY", display);
            SetEnv("DISPLAY", display, 1);
            return display;
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
