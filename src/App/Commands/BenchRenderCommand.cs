using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// <c>realtimeseg bench-render</c>: the overlay's cost and its independence from inference, headless (EGL):
/// GPU time of the overlay pass (timer queries) at a size with 1, 10 and 50 instances, with and without PBO
/// streaming; then the render loop's fps while the model runs live, side by side with the inference fps.
/// </summary>
internal static class BenchRenderCommand
{
    public static Command Create()
    {
        var args = new ModelArguments();
        args.Model.Required = false;
        var size = new Option<string>("--viewport") { Description = "Viewport (and frame) size WxH", DefaultValueFactory = _ => "1280x720" };
        var counts = new Option<string>("--instances") { Description = "Instance counts to time, comma-separated", DefaultValueFactory = _ => "1,10,50" };
        var frames = new Option<int>("--frames") { Description = "Frames drawn per measurement", DefaultValueFactory = _ => 100 };
        var seconds = new Option<double>("--seconds") { Description = "Length of the render-loop-with-inference measurement (needs --model)", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var command = new Command("bench-render", "Measure the overlay pass (GL timer queries) at 1, 10 and 50 instances, and the render loop's fps while the model runs (with --model): drawing decoupled from inference");
        args.AddTo(command);
        command.Options.Add(size);
        command.Options.Add(counts);
        command.Options.Add(frames);
        command.Options.Add(seconds);
        command.Options.Add(json);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var (w, h) = CliParsing.Size(parse.GetValue(size)!, "--viewport");
            var instanceCounts = parse.GetValue(counts)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 0 and <= 1000 ? n
                    : throw new RealtimeSegException($"--instances '{c}' is not a count from 0 to 1000")).ToArray();
            int n = Math.Max(10, parse.GetValue(frames));
            using var context = new EglContext();
            var doc = new Dictionary<string, object> { ["renderer"] = context.Renderer, ["glVersion"] = context.Version, ["viewport"] = $"{w}x{h}" };
            var text = new StringBuilder($"renderer    {context.Renderer} ({context.Version})\nviewport    {w}x{h}, frame {w}x{h}, {n} frames per row\n");
            using (var overlay = new OverlayRenderer(context.Gl))
            using (var target = new OffscreenTarget(context.Gl, w, h))
            {
                foreach (int count in instanceCounts)
                {
                    // PBO and direct upload with the host's state saved and restored, and PBO without (a host that sets its own).
                    foreach (var (pbo, restore, name) in new[] { (true, true, "pbo"), (false, true, "direct"), (true, false, "pbo.noRestore") })
                    {
                        var (gpu, cpu, wall) = TimeOverlay(overlay, target, w, h, count, pbo, restore, n);
                        string key = $"overlay.{count}.{name}";
                        doc[$"{key}.gpuMs"] = Math.Round(gpu, 3);
                        doc[$"{key}.cpuMs"] = Math.Round(cpu, 3);
                        doc[$"{key}.wallMs"] = Math.Round(wall, 3);
                        string label = name switch { "pbo" => "PBO upload   ", "direct" => "direct upload", _ => "PBO, no state save/restore" };
                        text.Append(CultureInfo.InvariantCulture, $"overlay     {count,3} instances, {label}: timer query {gpu,6:0.00} ms, Draw call {cpu,6:0.00} ms, Draw+glFinish {wall,6:0.00} ms (p50)\n");
                    }
                }
                if (parse.GetValue(args.Model) is not null)
                {
                    using var model = args.Open(parse);
                    var (renderFps, inferenceFps, drawn, results) = RenderWhileInferring(context.Gl, model, overlay, target, w, h, parse.GetValue(seconds));
                    doc["loop.renderFps"] = Math.Round(renderFps, 1);
                    doc["loop.inferenceFps"] = Math.Round(inferenceFps, 2);
                    doc["loop.ratio"] = Math.Round(renderFps / Math.Max(inferenceFps, 1e-9), 1);
                    text.Append(CultureInfo.InvariantCulture, $"loop        render {renderFps:0.0} fps while inference ran at {inferenceFps:0.0} fps ({drawn} frames drawn, {results} results): {renderFps / Math.Max(inferenceFps, 1e-9):0.0}x\n");
                }
            }
            Console.Out.WriteLine(parse.GetValue(json) ? System.Text.Json.JsonSerializer.Serialize(doc, CliJson.Indented) : text.ToString().TrimEnd());
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Medians over <paramref name="frames"/> new frames: the GL timer query of the pass, the CPU time of the Draw
    /// call, and Draw plus glFinish (the whole cost on a software rasteriser, whose timer queries miss the
    /// rasterisation that runs at the flush).
    /// </summary>
    private static (double Gpu, double Cpu, double Wall) TimeOverlay(OverlayRenderer overlay, OffscreenTarget target, int w, int h, int count, bool pbo, bool restore, int frames)
    {
        var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Width = w, Height = h, Seed = 3 });
        using var frame = Frame.Allocate(w, h, PixelFormat.Rgb24);
        scene.Render(frame, new InstanceSet(SyntheticShapesSource.ClassLabels));
        var instances = RandomInstances(w, h, count);
        var options = OverlayOptions.Default with { UsePixelBuffers = pbo, MeasureGpuTime = true, Hud = true, RestoreHostState = restore };
        var gpu = new double[frames];
        var cpu = new double[frames];
        var wall = new double[frames];
        target.Bind();
        for (int i = 0; i < frames + 5; i++)
        {
            frame.Id = i; // a new frame each time: the upload is part of the pass
            long t0 = Stopwatch.GetTimestamp();
            overlay.Draw(frame, instances, target.Viewport, options, new HudInfo(60, 10, 40, "cpu", 0), sequence: i);
            double c = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            double g = overlay.WaitForPassTimes();
            double all = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (i >= 5)
            {
                (gpu[i - 5], cpu[i - 5], wall[i - 5]) = (g, c, all);
            }
        }
        Array.Sort(gpu);
        Array.Sort(cpu);
        Array.Sort(wall);
        return (gpu[frames / 2], cpu[frames / 2], wall[frames / 2]);
    }

    private static InstanceSet RandomInstances(int w, int h, int count)
    {
        var labels = SyntheticShapesSource.ClassLabels;
        var set = new InstanceSet(labels);
        set.Reset(w, h, MaskKind.Raw, 28);
        var random = new Random(7);
        for (int i = 0; i < count; i++)
        {
            float bw = random.Next(w / 16, w / 4), bh = random.Next(h / 16, h / 4);
            float x = random.Next(0, (int)(w - bw)), y = random.Next(0, (int)(h - bh));
            var mask = set.WritableRawMask(set.Add(new BoxF(x, y, x + bw, y + bh), 0.5f + 0.5f * random.NextSingle(), 1 + i % (labels.Count - 1)));
            for (int k = 0; k < mask.Length; k++)
            {
                float dx = (k % 28 + 0.5f) / 28 - 0.5f, dy = (k / 28 + 0.5f) / 28 - 0.5f;
                mask[k] = dx * dx + dy * dy < 0.2f ? 0.9f : 0.1f;
            }
        }
        return set;
    }

    /// <summary>Draws the newest result as fast as possible for a while the pipeline runs live on the synthetic scene.</summary>
    private static (double RenderFps, double InferenceFps, long Drawn, long Results) RenderWhileInferring(
        Silk.NET.OpenGL.GL gl, Runtime.Model.SegmentationModel model, OverlayRenderer overlay, OffscreenTarget target, int w, int h, double seconds)
    {
        using var session = SegmentationSession.FromSource(model, new SourceSpec(SourceKind.Synthetic, "1", "synthetic:1"), new SourceOptions { Width = w, Height = h });
        var pipeline = session.Pipeline;
        session.Start();
        SpinWait.SpinUntil(() => pipeline.LatestSequence >= 0, 30_000);
        long drawn = 0, firstSequence = pipeline.LatestSequence;
        var clock = Stopwatch.StartNew();
        target.Bind();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            if (pipeline.TryGetLatest(out var result))
            {
                using (result)
                {
                    overlay.Draw(result, target.Viewport, OverlayOptions.Default with { Hud = true });
                }
            }
            gl.Finish(); // a frame counts once the GPU has drawn it, as a swap would wait
            drawn++;
        }
        double elapsed = clock.Elapsed.TotalSeconds;
        long results = pipeline.LatestSequence - firstSequence;
        session.Stop();
        return (drawn / elapsed, results / elapsed, drawn, results);
    }
}
