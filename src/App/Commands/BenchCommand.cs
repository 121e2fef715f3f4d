using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RealtimeSeg.Capture;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;
using RealtimeSeg.Capture.Synthetic;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// <c>realtimeseg bench</c>: the bare <c>Run</c> baseline. The input is preprocessed once and the model run N
/// times on it, so the numbers are ORT's alone; pre- and post-processing are timed separately beside them.
/// Pipeline benchmarks divide by this.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var args = new ModelArguments();
        var runs = new Option<int>("--runs", "-n") { Description = "Timed runs (after the warm-up run at load)", DefaultValueFactory = _ => 50 };
        var input = new Option<string>("--input") { Description = "Frame size WxH of the synthetic-scene frame fed to the model (resized to --size as in real use)", DefaultValueFactory = _ => "640x480" };
        var image = new Option<string?>("--image") { Description = "A PNG or binary PPM to use as the frame instead of a synthetic-scene frame" };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var source = new SourceArguments();
        source.Source.Required = false;
        source.Source.Description = "Benchmark the pipeline on frames from this source (e.g. synthetic, a video file, lavfi:…): bare Run and the pipeline with 1 and 2 slots side by side on the same frames. Given more than once: the streams through one model, aggregate results/s beside stream 0 alone, per-stream results/s and push-to-result latency";
        var frames = new Option<int>("--frames") { Description = "Frames to capture from --source and run through each pass", DefaultValueFactory = _ => 200 };
        var slots = new Option<string>("--slots") { Description = "Pipeline slot counts to measure, comma-separated", DefaultValueFactory = _ => "1,2" };
        var measureSeconds = new Option<double>("--seconds") { Description = "With several --source: length of each measurement (stream 0 alone, then all streams), in seconds", DefaultValueFactory = _ => 5 };
        var rounds = new Option<int>("--rounds") { Description = "With several --source: rounds of (bare Run, stream 0 alone, all streams), interleaved; medians are printed", DefaultValueFactory = _ => 3 };
        var repeat = new Option<int>("--repeat") { Description = "Feed the captured frames this many times through each pipeline pass: a long run for GC and memory checks (e.g. --frames 250 --repeat 40 is 10,000 frames)", DefaultValueFactory = _ => 1 };
        var command = new Command("bench", "Measure the model's bare Run throughput (fps, p50/p95 ms); with --source, the full pipeline beside it on the same frames (fps ratio, per-stage ms, latency, allocations)");
        args.AddTo(command);
        source.AddTo(command);
        command.Options.Add(frames);
        command.Options.Add(slots);
        command.Options.Add(repeat);
        command.Options.Add(measureSeconds);
        command.Options.Add(rounds);
        command.Options.Add(runs);
        command.Options.Add(input);
        command.Options.Add(image);
        command.Options.Add(json);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int n = parse.GetValue(runs);
            if (n < 1)
            {
                throw new RealtimeSegException($"--runs {n} must be at least 1");
            }
            if (source.Given(parse))
            {
                int count = parse.GetValue(frames);
                if (count < 4)
                {
                    throw new RealtimeSegException($"--frames {count} is too few to measure; use 4 or more (200 by default)");
                }
                var slotCounts = ParseSlots(parse.GetValue(slots)!);
                int repeats = parse.GetValue(repeat);
                if (repeats < 1)
                {
                    throw new RealtimeSegException($"--repeat {repeats} must be at least 1");
                }
                using var model = args.Open(parse);
                var specs = source.Specs(parse);
                if (specs.Count > 1)
                {
                    return SeveralStreams(model, specs, source.Options(parse), Math.Min(count, SeveralStreamFrames), parse.GetValue(measureSeconds), parse.GetValue(rounds), parse.GetValue(json));
                }
                var (text, pipelineJson) = PipelineBench.Run(model, source.Spec(parse, "bench"), source.Options(parse), count, slotCounts, repeats,
                    quiet: parse.GetValue(json) || Console.IsErrorRedirected);
                Console.Out.WriteLine(parse.GetValue(json) ? pipelineJson : text);
                return 0;
            }
            using var frame = parse.GetValue(image) is { } file ? ReadImage(file) : SceneFrame(CliParsing.Size(parse.GetValue(input)!, "--input"));
            var report = Measure(args, parse, frame, n, quiet: parse.GetValue(json) || Console.IsErrorRedirected);
            Console.Out.WriteLine(parse.GetValue(json) ? report.ToJson() : report.ToText());
            return 0;
        }));
        return command;
    }

    // Frames kept per stream when several are measured: each stream cycles through its own, and 30 frames of
    // 720p is 80 MB a stream; enough variety for the model's work to be the stream's own.
    private const int SeveralStreamFrames = 30;

    /// <summary>Several sources through the one model: aggregate beside stream 0 alone and bare Run, per-stream counts and latency.</summary>
    private static int SeveralStreams(SegmentationModel model, IReadOnlyList<SourceSpec> specs, SourceOptions options, int frames, double seconds, int rounds, bool json)
    {
        var pictures = new List<IReadOnlyList<Frame>>();
        try
        {
            foreach (var spec in specs)
            {
                pictures.Add(PipelineBench.Capture(spec, options, frames, quiet: json || Console.IsErrorRedirected));
            }
            return SharedModelBench.Run(model, pictures, specs.Select(s => s.Text).ToList(), seconds, rounds, json);
        }
        finally
        {
            foreach (var frame in pictures.SelectMany(p => p))
            {
                frame.Dispose();
            }
        }
    }

    private static int[] ParseSlots(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var counts = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out counts[i]) || counts[i] is < 1 or > 8)
            {
                throw new RealtimeSegException($"--slots '{text}': expected slot counts from 1 to 8 separated by commas, e.g. 1,2");
            }
        }
        return counts.Length > 0 ? counts : throw new RealtimeSegException("--slots is empty; e.g. --slots 1,2");
    }

    private static Frame ReadImage(string path)
    {
        if (!File.Exists(path))
        {
            throw new RealtimeSegException($"--image {path} not found");
        }
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => Png.Read(path),
            ".ppm" => Ppm.Read(path),
            _ => throw new RealtimeSegException($"--image {path}: only .png and .ppm are read here"),
        };
    }

    /// <summary>A fixed moment of the synthetic scene: shapes the demo model finds, so its mask head does real work.</summary>
    private static Frame SceneFrame((int W, int H) size)
    {
        var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Width = size.W, Height = size.H, Seed = 1 });
        scene.Skip(30);
        var frame = Frame.Allocate(size.W, size.H, PixelFormat.Rgb24);
        scene.Render(frame, new InstanceSet(SyntheticShapesSource.ClassLabels));
        return frame;
    }

    private static BenchReport Measure(ModelArguments args, ParseResult parse, Frame frame, int runs, bool quiet)
    {
        using var model = args.Open(parse);
        using var slot = model.CreateSlot();
        var instances = model.CreateInstanceSet();
        var run = new double[runs];
        var pre = new double[runs];
        var post = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            slot.Preprocess(frame);
            long t1 = Stopwatch.GetTimestamp();
            slot.Run();
            long t2 = Stopwatch.GetTimestamp();
            slot.Postprocess(instances, SegmentOptions.Default);
            long t3 = Stopwatch.GetTimestamp();
            pre[i] = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            run[i] = Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
            post[i] = Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
            if (!quiet && (i + 1) % Math.Max(1, runs / 10) == 0)
            {
                Console.Error.Write($"\rbench: {i + 1}/{runs} runs");
            }
        }
        if (!quiet)
        {
            Console.Error.WriteLine();
        }
        var t = slot.Transform;
        return new BenchReport(model.Path, ExecutionProviders.CliName(model.Session.Provider), OrtLibrary.Version,
            $"{frame.Width}x{frame.Height}", $"{t.TensorWidth}x{t.TensorHeight}", runs, instances.Count,
            Stats.Of(run), Stats.Of(pre), Stats.Of(post));
    }

    internal sealed record Stats(double Mean, double P50, double P95, double Min)
    {
        public static Stats Of(double[] samples)
        {
            var sorted = samples.Order().ToArray();
            return new Stats(samples.Average(), Percentile.NearestRank(sorted, 0.50), Percentile.NearestRank(sorted, 0.95), sorted[0]);
        }
    }

    internal sealed record BenchReport(string Model, string Provider, string OrtVersion, string Frame, string Tensor,
        int Runs, int Instances, Stats Run, Stats Preprocess, Stats Postprocess)
    {
        public double Fps => 1000.0 / Run.Mean;

        public string ToText() => string.Create(CultureInfo.InvariantCulture,
            $"""
            model       {Model}
            provider    {Provider} (ONNX Runtime {OrtVersion})
            frame       {Frame} -> tensor {Tensor}, {Instances} instance(s) at score >= 0.5
            bare Run    {Fps:0.0} fps   mean {Run.Mean:0.00} ms   p50 {Run.P50:0.00} ms   p95 {Run.P95:0.00} ms   min {Run.Min:0.00} ms   ({Runs} runs)
            preprocess  mean {Preprocess.Mean:0.00} ms   p95 {Preprocess.P95:0.00} ms
            postprocess mean {Postprocess.Mean:0.00} ms   p95 {Postprocess.P95:0.00} ms
            """);

        public string ToJson()
        {
            var doc = new Dictionary<string, object>
            {
                ["model"] = Model, ["provider"] = Provider, ["ortVersion"] = OrtVersion, ["frame"] = Frame, ["tensor"] = Tensor,
                ["runs"] = Runs, ["instances"] = Instances,
                ["bare.fps"] = Math.Round(Fps, 2),
                ["bare.meanMs"] = Math.Round(Run.Mean, 3), ["bare.p50Ms"] = Math.Round(Run.P50, 3),
                ["bare.p95Ms"] = Math.Round(Run.P95, 3), ["bare.minMs"] = Math.Round(Run.Min, 3),
                ["preprocess.meanMs"] = Math.Round(Preprocess.Mean, 3), ["postprocess.meanMs"] = Math.Round(Postprocess.Mean, 3),
            };
            return JsonSerializer.Serialize(doc, CliJson.Indented);
        }
    }
}
