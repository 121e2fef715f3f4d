using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RealtimeSeg.Capture;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// <c>bench-host --streams N</c>: N host streams through one loaded model, each pushing a frame and waiting for its
/// result on its own thread, against one stream doing the same and against bare <c>Run</c> on the same pictures,
/// interleaved round by round. Aggregate results/s over bare Run is the model's cost of serving N streams;
/// the fewest results of a stream over the most is the scheduling's fairness; resident memory with every stream
/// still open says what a stream costs beside the one model.
/// </summary>
internal static class SharedModelBench
{
    public static int Run(SegmentationModel model, IReadOnlyList<Frame> pictures, int streams, double seconds, int rounds, bool json)
    {
        if (seconds is < 1 or > 3600 || double.IsNaN(seconds))
        {
            throw new RealtimeSegException($"--seconds {seconds} is out of range; use 1 to 3600");
        }
        if (rounds is < 1 or > 20)
        {
            throw new RealtimeSegException($"--rounds {rounds} is out of range; use 1 to 20");
        }
        var bare = new List<double>();
        var one = new List<double>();
        var all = new List<double>();
        var fairness = new List<double>();
        long[] lastCounts = [];
        long rssOne = 0, rssAll = 0;
        for (int round = 1; round <= rounds; round++)
        {
            bare.Add(BareRunsPerSecond(model, pictures[0], seconds));
            one.Add(Streams(model, pictures, 1, seconds, out long rss).Sum() / seconds);
            rssOne = Math.Max(rssOne, rss);
            lastCounts = Streams(model, pictures, streams, seconds, out rss);
            rssAll = Math.Max(rssAll, rss);
            all.Add(lastCounts.Sum() / seconds);
            fairness.Add((double)lastCounts.Min() / lastCounts.Max());
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: bare Run {bare[^1]:0.0}/s, 1 stream {one[^1]:0.0}/s, {streams} streams {all[^1]:0.0}/s (per stream {string.Join(' ', lastCounts)}, min/max {fairness[^1]:0.00})"));
        }
        double medianBare = Median(bare), medianOne = Median(one), medianAll = Median(all), medianFair = Median(fairness);
        Console.Out.WriteLine(json
            ? JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["streams"] = streams, ["seconds"] = seconds, ["rounds"] = rounds,
                ["bareRunsPerSecond"] = Math.Round(medianBare, 2), ["oneStreamResultsPerSecond"] = Math.Round(medianOne, 2),
                ["resultsPerSecond"] = Math.Round(medianAll, 2), ["ratioToBare"] = Math.Round(medianAll / medianBare, 3),
                ["ratioToOneStream"] = Math.Round(medianAll / medianOne, 3), ["minOverMax"] = Math.Round(medianFair, 3),
                ["residentMbOneStream"] = rssOne >> 20, ["residentMbAllStreams"] = rssAll >> 20,
            }, CliJson.Indented)
            : string.Create(CultureInfo.InvariantCulture,
                $"streams {streams}: {medianAll:0.0} results/s in all, {medianAll / medianBare:0.00}x bare Run ({medianBare:0.0}/s), {medianAll / medianOne:0.00}x one stream ({medianOne:0.0}/s), per-stream min/max {medianFair:0.00} (medians of {rounds}); resident {rssOne >> 20} MB with 1 stream, {rssAll >> 20} MB with {streams} (+{(rssAll - rssOne) / (double)(streams - 1) / (1 << 20):0.0} MB a stream)"));
        return 0;
    }

    private static double BareRunsPerSecond(SegmentationModel model, Frame picture, double seconds)
    {
        using var slot = model.CreateSlot();
        slot.Preprocess(picture);
        slot.Run();
        int runs = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            slot.Run();
            runs++;
        }
        return runs / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Results each stream got in <paramref name="seconds"/>, every stream pushing and waiting on its own thread.</summary>
    private static long[] Streams(SegmentationModel model, IReadOnlyList<Frame> pictures, int count, double seconds, out long residentBytes)
    {
        var sessions = Enumerable.Range(0, count).Select(_ => SegmentationSession.FromHostFrames(model)).ToList();
        try
        {
            sessions.ForEach(s => s.Start());
            foreach (var s in sessions)
            {
                BenchHostCommand.PushAndWait(s, pictures[0]); // warm: the first result of each
            }
            var counts = new long[count];
            var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            var threads = sessions.Select((s, i) => new Thread(() =>
            {
                for (int f = i; Stopwatch.GetTimestamp() < deadline; f++)
                {
                    BenchHostCommand.PushAndWait(s, pictures[f % pictures.Count]);
                    counts[i]++;
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            using (var self = Process.GetCurrentProcess())
            {
                residentBytes = self.WorkingSet64; // every stream's frames, results and pools still held
            }
            return counts;
        }
        finally
        {
            sessions.ForEach(s => s.Dispose());
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
