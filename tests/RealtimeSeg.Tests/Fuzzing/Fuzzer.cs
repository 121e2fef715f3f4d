using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace RealtimeSeg.Tests.Fuzzing;

/// <summary>What one fuzz target did: cases run, time taken, and every input that broke a rule.</summary>
internal sealed record FuzzReport(string Target, int Cases, double Seconds, int Seed, IReadOnlyList<string> Findings)
{
    public override string ToString() =>
        $"fuzz {Target}: {Cases} cases in {Seconds:0.0} s (seed {Seed}), {Findings.Count} finding(s)" +
        string.Concat(Findings.Select(f => $"\n  {f}"));
}

/// <summary>
/// Seeded mutation fuzzing of what we parse from outside (AFL's and libFuzzer's idea, bounded and in process):
/// the corpus's valid inputs first, then mutations of them, each case on a thread of its own so that a hang is
/// caught (the case times out) and its allocation measured (the thread's allocated bytes). A case passes when the
/// parser accepts the input or rejects it with the error type it documents and a one-line message; anything else
/// (another exception, a hang, an allocation past the bound) is a finding, reported with the case number that
/// reproduces it. CI runs each target for a few seconds; <c>bench/fuzz.sh</c> sets
/// <see cref="SecondsVariable"/> for long runs, and <see cref="SeedVariable"/> for other sequences.
/// </summary>
internal static class Fuzzer
{
    public const string SecondsVariable = "REALTIMESEG_FUZZ_SECONDS";
    public const string SeedVariable = "REALTIMESEG_FUZZ_SEED";
    public const string ReportVariable = "REALTIMESEG_FUZZ_REPORT";
    private const int DefaultSeed = 20261206;

    public static FuzzReport Run<T>(string target, IReadOnlyList<T> corpus, Func<T, Random, T> mutate, Action<T> parse,
        Func<Exception, bool> isDocumentedError, double ciSeconds, Func<T, string> describe,
        long maxAllocatedBytes = 256L << 20, double caseTimeoutSeconds = 10)
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 ? s : ciSeconds;
        int seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), CultureInfo.InvariantCulture, out int given) ? given : DefaultSeed;
        var findings = new List<string>();
        var clock = Stopwatch.StartNew();
        int cases = 0;
        while ((clock.Elapsed.TotalSeconds < seconds || cases < corpus.Count) && findings.Count < 10)
        {
            var random = new Random(unchecked(seed * 1_000_003 + cases));
            var input = cases < corpus.Count ? corpus[cases] : mutate(corpus[random.Next(corpus.Count)], random);
            var (error, allocated, finished) = RunCase(() => parse(input), caseTimeoutSeconds);
            string? finding = !finished ? $"hang: no answer within {caseTimeoutSeconds} s"
                : allocated > maxAllocatedBytes ? $"allocated {allocated >> 20} MB (bound {maxAllocatedBytes >> 20} MB)"
                : error is null ? null
                : !isDocumentedError(error) ? $"{error.GetType().Name}: {error.Message}"
                : error.Message.Length == 0 || error.Message.Contains('\n', StringComparison.Ordinal) ? $"message not one line: '{error.Message}'"
                : null;
            if (finding is not null)
            {
                findings.Add($"case {cases}: {finding}; input {describe(input)}");
                if (!finished)
                {
                    break; // the stuck thread keeps its input; nothing after it would be trustworthy
                }
            }
            cases++;
        }
        var report = new FuzzReport(target, cases, clock.Elapsed.TotalSeconds, seed, findings);
        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } file)
        {
            File.AppendAllText(file, $"{target}\t{cases}\t{report.Seconds:0.0}\t{findings.Count}\n");
        }
        return report;
    }

    /// <summary>Byte inputs: <see cref="Mutations.Bytes"/>, described as escaped text (what most of them are).</summary>
    public static FuzzReport RunBytes(string target, IReadOnlyList<byte[]> corpus, Action<byte[]> parse, Func<Exception, bool> isDocumentedError,
        double ciSeconds, long maxAllocatedBytes = 256L << 20) =>
        Run(target, corpus, Mutations.Bytes, parse, isDocumentedError, ciSeconds, Describe, maxAllocatedBytes);

    public static string Describe(byte[] input)
    {
        var text = new StringBuilder();
        foreach (byte b in input.AsSpan(0, Math.Min(input.Length, 160)))
        {
            text.Append(b is >= 32 and < 127 and not (byte)'\\' ? (char)b : $"\\x{b:x2}");
        }
        return $"({input.Length} bytes) {text}{(input.Length > 160 ? "..." : "")}";
    }

    private static (Exception? Error, long Allocated, bool Finished) RunCase(Action body, double timeoutSeconds)
    {
        Exception? error = null;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                body();
            }
            catch (Exception e)
            {
                error = e;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, 16 << 20) { IsBackground = true };
        thread.Start();
        bool finished = thread.Join(TimeSpan.FromSeconds(timeoutSeconds));
        return (error, allocated, finished);
    }
}

/// <summary>Seeded mutations of a valid input, the kinds that break parsers: bit flips, boundary bytes and numbers, cuts, copies.</summary>
internal static class Mutations
{
    private static readonly string[] Numbers =
        ["0", "-1", "1", "2", "3", "255", "256", "2147483647", "2147483648", "-2147483649", "99999999999999999999", "1e308", "-1e308",
         "NaN", "Infinity", "16384", "16385", "65536", "100000", "4294967296", "0.5", "-0", "1e-300", ""];

    private static readonly byte[] Interesting =
        [0, 0xFF, 0x7F, 0x80, 0xC3, (byte)'0', (byte)'9', (byte)'-', (byte)'\n', (byte)' ', (byte)'"', (byte)'{', (byte)'}',
         (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'\\', (byte)'.', (byte)'e'];

    public static string Number(Random random) => Numbers[random.Next(Numbers.Length)];

    public static byte[] Bytes(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        int count = 1 + random.Next(4);
        for (int m = 0; m < count; m++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    for (int i = random.Next(1, 9); i > 0; i--)
                    {
                        bytes.Insert(at, (byte)random.Next(256));
                    }
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(32)));
                    break;
                case 4 when bytes.Count > 0:
                    var copy = bytes.GetRange(at, Math.Min(bytes.Count - at, 1 + random.Next(64)));
                    bytes.InsertRange(random.Next(bytes.Count + 1), copy);
                    break;
                case 5 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 6:
                    ReplaceNumber(bytes, at, random);
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        bytes[at] = (byte)random.Next(256);
                    }
                    break;
            }
        }
        return [.. bytes];
    }

    /// <summary>The first run of digits from <paramref name="at"/> on becomes a boundary number (numbers are what sizes and counts are made of).</summary>
    private static void ReplaceNumber(List<byte> bytes, int at, Random random)
    {
        int start = at;
        while (start < bytes.Count && bytes[start] is < (byte)'0' or > (byte)'9')
        {
            start++;
        }
        if (start == bytes.Count)
        {
            return;
        }
        int end = start;
        while (end < bytes.Count && bytes[end] is >= (byte)'0' and <= (byte)'9')
        {
            end++;
        }
        bytes.RemoveRange(start, end - start);
        bytes.InsertRange(start, Encoding.ASCII.GetBytes(Number(random)));
    }
}
