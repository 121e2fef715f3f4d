using System.Globalization;

namespace RealtimeSeg.Tests.Cli;

/// <summary>
/// Tests that send SIGINT start their program through <see cref="SignalReadyProcess"/>; this checks that it gives
/// the program SIGINT at its default disposition whatever this test run inherited (issue 25: a background
/// <c>./test.sh &amp;</c> starts with SIGINT ignored).
/// </summary>
public sealed class SignalReadyProcessTests
{
    private const ulong SigIntBit = 1UL << (2 - 1); // SIGINT is signal 2; /proc's masks set bit (signal - 1)

    [Fact]
    public void AProgramStartedUnderAnIgnoredSigIntGetsItsDefaultBack()
    {
        // The situation of a background test run, made explicit: the parent of the program ignores SIGINT.
        using var ignoring = SignalReadyProcess.Start("env", ["--ignore-signal=INT", "sleep", "30"]);
        using var restored = SignalReadyProcess.Start("env", ["--ignore-signal=INT", "env", "--default-signal=INT", "sleep", "30"]);
        using var plain = SignalReadyProcess.Start("sleep", ["30"]);
        try
        {
            WaitForExec(ignoring, "sleep");
            WaitForExec(restored, "sleep");
            WaitForExec(plain, "sleep");
            Assert.True((IgnoredSignals(ignoring.Id) & SigIntBit) != 0, "the check must see an ignored SIGINT");
            Assert.Equal(0UL, IgnoredSignals(restored.Id) & SigIntBit);
            Assert.Equal(0UL, IgnoredSignals(plain.Id) & SigIntBit);

            SignalReadyProcess.Interrupt(plain);
            Assert.True(plain.WaitForExit(TimeSpan.FromSeconds(10)), "SIGINT did not end a program started through SignalReadyProcess");
            SignalReadyProcess.Interrupt(ignoring);
            Assert.False(ignoring.WaitForExit(TimeSpan.FromMilliseconds(500)), "an ignored SIGINT ended the program");
        }
        finally
        {
            foreach (var p in new[] { ignoring, restored, plain })
            {
                if (!p.HasExited)
                {
                    p.Kill();
                }
            }
        }
    }

    private static ulong IgnoredSignals(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>env execs the program; its dispositions are final once the process's name is the program's.</summary>
    private static void WaitForExec(System.Diagnostics.Process p, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.ReadAllText($"/proc/{p.Id}/comm").Trim() != name)
        {
            Assert.True(DateTime.UtcNow < deadline, $"process {p.Id} never became {name}");
            Thread.Sleep(10);
        }
    }
}
