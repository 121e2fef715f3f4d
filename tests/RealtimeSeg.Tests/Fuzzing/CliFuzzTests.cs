using RealtimeSeg.Tests.Cli;
using Xunit.Abstractions;

namespace RealtimeSeg.Tests.Fuzzing;

/// <summary>
/// The command line fuzzed as a user mistypes it (<see cref="Fuzzer"/> over argument lists): tokens dropped,
/// repeated, swapped, values replaced by boundary numbers and odd strings, flags moved between commands. Each
/// case is the real program in its own process. It must end (no hang), with exit 0, or 2 and an "error: " line,
/// and never an internal error or a stack trace. The corpus is commands that finish in a second or two, and no
/// replacement value is a large valid count, so a case that runs long is a hang, not a big job.
/// </summary>
public sealed class CliFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Values =
        ["0", "-1", "1", "2", "2147483648", "99999999999999999999", "NaN", "1e309", "-0.5", "0.5", "", "x", "🙂", "-", "--",
         new string('a', 5000), "/dev/null", "/", "/nonexistent/x.png", "synthetic:0", "synthetic:-3", "640x", "0x0", "camera:99", "rtsp://"];

    private static readonly string[] Flags =
        ["--model", "-m", "--input", "-i", "--source", "-s", "--out", "-o", "--json", "--min-score", "--runs", "--provider", "--threads",
         "--size", "--frames", "--seconds", "--classes", "--labels", "--no-labels", "--rgb-decode", "--max-inference-fps", "--help"];

    private static List<string[]> Corpus(string dir)
    {
        string picture = Path.Combine(Fixtures.DemoDir, "images", "val", "000001.png");
        return
        [
            ["segment", "-m", Fixtures.MaskRcnnRaw, "-i", picture, "--json", "--min-score", "0.2", "--provider", "cpu"],
            ["segment", "-m", Fixtures.DemoModel, "-i", picture, "--out", Path.Combine(dir, "stills"), "--no-labels"],
            ["info", "--model", Fixtures.MaskRcnnRaw],
            ["bench", "--model", Fixtures.MaskRcnnRaw, "--runs", "2", "--json", "--provider", "cpu"],
            ["probe", "-s", "synthetic:1", "--frames", "3"],
            ["record", "-m", Fixtures.MaskRcnnRaw, "-s", picture, "-o", Path.Combine(dir, "clip.mp4")],
        ];
    }

    private static string[] Mutate(string[] args, Random random)
    {
        var tokens = new List<string>(args);
        for (int m = 1 + random.Next(3); m > 0; m--)
        {
            int at = random.Next(Math.Max(tokens.Count, 1));
            switch (random.Next(6))
            {
                case 0 when tokens.Count > 1:
                    tokens.RemoveAt(at);
                    break;
                case 1 when tokens.Count > 0:
                    tokens.Insert(at, tokens[at]);
                    break;
                case 2 when tokens.Count > 1 && at + 1 < tokens.Count:
                    (tokens[at], tokens[at + 1]) = (tokens[at + 1], tokens[at]);
                    break;
                case 3 when tokens.Count > 1:
                    // A value (never the command itself) becomes a boundary or odd value.
                    int value = 1 + random.Next(tokens.Count - 1);
                    tokens[value] = Values[random.Next(Values.Length)];
                    break;
                case 4:
                    tokens.InsertRange(Math.Min(at + 1, tokens.Count), [Flags[random.Next(Flags.Length)], Values[random.Next(Values.Length)]]);
                    break;
                default:
                    if (tokens.Count > 1)
                    {
                        tokens[1 + random.Next(tokens.Count - 1)] = Flags[random.Next(Flags.Length)];
                    }
                    break;
            }
        }
        return [.. tokens];
    }

    private static void RunOne(string[] args, string dir)
    {
        var r = CliRunner.Run(args, timeoutSeconds: 60, workingDirectory: dir);
        string[] errors = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (r.ExitCode is not (0 or 2))
        {
            throw new InvalidOperationException($"exit {r.ExitCode}: {string.Join(" | ", errors.Take(3))}");
        }
        if (r.Stderr.Contains("   at ", StringComparison.Ordinal) || r.Stderr.Contains("internal error", StringComparison.Ordinal) ||
            r.Stderr.Contains("Unhandled exception", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"a stack trace or internal error: {string.Join(" | ", errors.Take(3))}");
        }
        if (r.ExitCode == 2 && (errors.Length == 0 || !errors[^1].StartsWith("error: ", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"exit 2 without an 'error: ' line: {string.Join(" | ", errors.Take(3))}");
        }
    }

    [Fact]
    public void CommandLinesAsUsersMistypeThem()
    {
        using var dir = Fixtures.TempDir();
        var report = Fuzzer.Run("cli-arguments", Corpus(dir.Path), Mutate, args => RunOne(args, dir.Path), _ => false, ciSeconds: 25,
            args => string.Join(' ', args.Select(a => a.Length > 40 ? $"'{a[..20]}...({a.Length})'" : $"'{a}'")), caseTimeoutSeconds: 90);
        output.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, report.ToString());
    }
}
