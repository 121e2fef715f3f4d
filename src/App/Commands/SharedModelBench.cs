using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RealtimeSeg.Capture;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// Several streams through one loaded model (<c>bench-host --streams N</c>, <c>bench --source A --source B …</c>):
/// each stream pushes its own pictures and waits for each result on its own thread (a closed loop: the next frame
/// goes in when the last result came out), measured against stream 0 alone and against bare <c>Run</c> on its
/// first picture, interleaved round by round. Aggregate results/s over bare Run is the model's cost of serving the
/// streams; the fewest results of a stream over the most is the scheduling's fairness (meaningful when the streams'
/// pictures cost the same); push-to-result time is each stream's latency; resident memory with every stream still
/// open says what a stream costs beside the one model.
/// </summary>
internal static class SharedModelBench
{
    public static int Run(SegmentationModel model, IReadOnlyList<IReadOnlyList<Frame>> pictures, IReadOnlyList<string> names, double seconds, int rounds, bool json)
    {
        if (seconds is < 1 or > 3600 || double.IsNaN(seconds))
        {
            throw new RealtimeSegException($"--seconds {seconds} is out of range; use 1 to 3600");
        }
        if (rounds is < 1 or > 20)
        {
            throw new RealtimeSegException($"--rounds {rounds} is out of range; use 1 to 20");
        }
        int streams = pictures.Count;
        var bare = new List<double>();
        var one = new List<double>();
        var all = new List<double>();
        var fairness = new List<double>();
        var perStream = Enumerable.Range(0, streams).Select(_ => new List<double>()).ToArray();
        var latencies = Enumerable.Range(0, streams).Select(_ => new List<double>()).ToArray();
        long rssOne = 0, rssAll = 0;
        for (int round = 1; round <= rounds; round++)
        {
            bare.Add(BareRunsPerSecond(model, pictures[0][0], seconds));
            one.Add(Streams(model, [pictures[0]], seconds, out long rss)[0].Results / seconds);
            rssOne = Math.Max(rssOne, rss);
            var counts = Streams(model, pictures, seconds, out rss);
            rssAll = Math.Max(rssAll, rss);
            all.Add(counts.Sum(c => c.Results) / seconds);
            fairness.Add((double)counts.Min(c => c.Results) / Math.Max(1, counts.Max(c => c.Results)));
            for (int i = 0; i < streams; i++)
            {
                perStream[i].Add(counts[i].Results / seconds);
                latencies[i].AddRange(counts[i].LatenciesMs);
            }
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: bare Run {bare[^1]:0.0}/s, 1 stream {one[^1]:0.0}/s, {streams} streams {all[^1]:0.0}/s (per stream {string.Join(' ', counts.Select(c => c.Results))}, min/max {fairness[^1]:0.00})"));
        }
        double medianBare = Median(bare), medianOne = Median(one), medianAll = Median(all), medianFair = Median(fairness);
        var streamRows = Enumerable.Range(0, streams).Select(i => (Name: names[i], ResultsPerSecond: Median(perStream[i]),
            P50: Percentile(latencies[i], 0.5), P95: Percentile(latencies[i], 0.95))).ToList();
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["streams"] = streams, ["seconds"] = seconds, ["rounds"] = rounds,
                ["bareRunsPerSecond"] = Math.Round(medianBare, 2), ["oneStreamResultsPerSecond"] = Math.Round(medianOne, 2),
                ["resultsPerSecond"] = Math.Round(medianAll, 2), ["ratioToBare"] = Math.Round(medianAll / medianBare, 3),
                ["ratioToOneStream"] = Math.Round(medianAll / medianOne, 3), ["minOverMax"] = Math.Round(medianFair, 3),
                ["residentMbOneStream"] = rssOne >> 20, ["residentMbAllStreams"] = rssAll >> 20,
                ["perStream"] = streamRows.Select((r, i) => new Dictionary<string, object>
                {
                    ["stream"] = i, ["source"] = r.Name, ["resultsPerSecond"] = Math.Round(r.ResultsPerSecond, 2),
                    ["latencyP50Ms"] = Math.Round(r.P50, 1), ["latencyP95Ms"] = Math.Round(r.P95, 1),
                }).ToList(),
            }, CliJson.Indented));
            return 0;
        }
        var text = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"streams {streams}: {medianAll:0.0} results/s in all, {medianAll / medianBare:0.00}x bare Run ({medianBare:0.0}/s), {medianAll / medianOne:0.00}x one stream ({medianOne:0.0}/s), per-stream min/max {medianFair:0.00} (medians of {rounds}); resident {rssOne >> 20} MB with 1 stream, {rssAll >> 20} MB with {streams} (+{(rssAll - rssOne) / (double)(streams - 1) / (1 << 20):0.0} MB a stream)"),
        };
        text.AddRange(streamRows.Select((r, i) => string.Create(CultureInfo.InvariantCulture,
            $"  stream {i}: {r.ResultsPerSecond:0.0} results/s, push to result p50 {r.P50:0.0} ms, p95 {r.P95:0.0} ms ({r.Name})")));
        Console.Out.WriteLine(string.Join(Environment.NewLine, text));
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

    private sealed record StreamCount(long Results, List<double> LatenciesMs);

    /// <summary>What each stream got in <paramref name="seconds"/>, every stream pushing its own pictures and waiting on its own thread.</summary>
    private static StreamCount[] Streams(SegmentationModel model, IReadOnlyList<IReadOnlyList<Frame>> pictures, double seconds, out long residentBytes)
    {
        var sessions = pictures.Select(_ => SegmentationSession.FromHostFrames(model)).ToList();
        try
        {
            sessions.ForEach(s => s.Start());
            for (int i = 0; i < sessions.Count; i++)
            {
                BenchHostCommand.PushAndWait(sessions[i], pictures[i][0]); // warm: the first result of each
            }
            var counts = pictures.Select(_ => new StreamCount(0, new List<double>(4096))).ToArray();
            var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            var threads = sessions.Select((s, i) => new Thread(() =>
            {
                long results = 0;
                for (int f = i; Stopwatch.GetTimestamp() < deadline; f++)
                {
                    long start = Stopwatch.GetTimestamp();
                    BenchHostCommand.PushAndWait(s, pictures[i][f % pictures[i].Count]);
                    counts[i].LatenciesMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    results++;
                }
                counts[i] = counts[i] with { Results = results };
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

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToList();
        double rank = p * (sorted.Count - 1);
        int low = (int)Math.Floor(rank);
        int high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
