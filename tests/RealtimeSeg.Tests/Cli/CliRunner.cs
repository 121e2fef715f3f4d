using System.Diagnostics;

namespace RealtimeSeg.Tests.Cli;

/// <summary>Runs the built realtimeseg program as a user would, in its own process.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(IEnumerable<string> args, IDictionary<string, string>? environment = null, int timeoutSeconds = 120,
        string? workingDirectory = null, string? appDll = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Fixtures.RepoRoot,
        };
        info.ArgumentList.Add(appDll ?? Path.Combine(AppContext.BaseDirectory, "realtimeseg.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        info.Environment.Remove("REALTIMESEG_ORT_LIB");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"realtimeseg {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A user-facing failure: exit 2, exactly one line on stderr starting "error: ", no stack trace.</summary>
    public static string AssertOneLineError(Result result)
    {
        Assert.Equal(2, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + result.Stderr);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        return lines[0];
    }

    /// <summary>Runs any program from the repository root and asserts it succeeded; for tools beside the CLI (dotnet, the launcher).</summary>
    public static Result RunProgram(string program, IEnumerable<string> args, int timeoutSeconds = 300)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Fixtures.RepoRoot };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        string line = $"{program} {string.Join(' ', psi.ArgumentList)}";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{line} did not finish in {timeoutSeconds} s");
        }
        Assert.True(p.ExitCode == 0, $"{line} exited {p.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
