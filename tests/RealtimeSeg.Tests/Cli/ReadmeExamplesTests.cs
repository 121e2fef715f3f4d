using System.Text.RegularExpressions;

namespace RealtimeSeg.Tests.Cli;

/// <summary>
/// Every <c>./realtimeseg</c> example in README.md's <c>bash</c> blocks runs, in order, as a user would paste it.
/// (<c>text</c> blocks hold examples that need hardware this machine lacks: cameras, weights to download.)
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    [GeneratedRegex(@"^\./realtimeseg\s+(?<args>[^#]*?)\s*(#.*)?$")]
    private static partial Regex ExampleLine();

    public static IReadOnlyList<string> Examples()
    {
        var examples = new List<string>();
        bool inCode = false, runnable = false;
        foreach (string line in File.ReadLines(Path.Combine(Fixtures.RepoRoot, "README.md")))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                runnable = !inCode && line.Trim() == "```bash";
                inCode = !inCode;
            }
            else if (!runnable)
            {
                continue;
            }
            else if (inCode && ExampleLine().Match(line.Trim()) is { Success: true } m)
            {
                examples.Add(m.Groups["args"].Value);
            }
        }
        return examples;
    }

    [Fact]
    public void EveryCommandInTheReadmeRuns()
    {
        var examples = Examples();
        Assert.True(examples.Count >= 5, $"found only {examples.Count} examples: is the README parsed right?");
        // A scratch folder that looks like the repository root, so examples that write (data/...) stay out of it.
        using var dir = Fixtures.TempDir();
        foreach (string shared in new[] { "models", "tests" })
        {
            Directory.CreateSymbolicLink(Path.Combine(dir.Path, shared), Path.Combine(Fixtures.RepoRoot, shared));
        }
        foreach (string example in examples)
        {
            Assert.DoesNotContain('"', example); // plain space-separated arguments only, so splitting is exact
            // Headless, as CI is: with a display, `demo` would open a window and wait for it to be closed.
            var r = CliRunner.Run(example.Split(' ', StringSplitOptions.RemoveEmptyEntries),
                new Dictionary<string, string> { ["DISPLAY"] = "", ["WAYLAND_DISPLAY"] = "" }, workingDirectory: dir.Path, timeoutSeconds: 300);
            Assert.True(r.ExitCode == 0, $"README example `./realtimeseg {example}` exited {r.ExitCode}: {r.Stderr}");
            Assert.False(string.IsNullOrWhiteSpace(r.Stdout), $"README example `./realtimeseg {example}` printed nothing");
        }
    }
}
