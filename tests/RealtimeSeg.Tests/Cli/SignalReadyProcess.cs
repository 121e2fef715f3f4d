using System.Diagnostics;

namespace RealtimeSeg.Tests.Cli;

/// <summary>
/// Starts a program that a test will send SIGINT to, with SIGINT at its default disposition. A shell starts
/// background jobs (<c>./test.sh &amp;</c>, nohup, some CI runners) with SIGINT ignored, and an ignored
/// disposition survives exec: a program started from such a test run would never see the test's Ctrl+C.
/// coreutils' <c>env --default-signal=INT</c> resets it before the program runs.
/// </summary>
internal static class SignalReadyProcess
{
    public static Process Start(string program, IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Fixtures.RepoRoot,
        };
        psi.ArgumentList.Add("--default-signal=INT");
        psi.ArgumentList.Add(program);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }
        return Process.Start(psi)!;
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal would, to the process itself (env execs, so it is the program).</summary>
    public static void Interrupt(Process process)
    {
        using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
