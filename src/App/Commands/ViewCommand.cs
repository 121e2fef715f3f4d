using System.CommandLine;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.App.Commands;

/// <summary><c>realtimeseg view</c>: the live viewer window for a camera, file, stream or the synthetic scene.</summary>
internal static class ViewCommand
{
    public static Command Create()
    {
        var model = new ModelArguments();
        var source = new SourceArguments();
        var overlay = new OverlayArguments(hud: true);
        var pipeline = new PipelineArguments();
        var size = new Option<string>("--window") { Description = "Window size WxH", DefaultValueFactory = _ => "1280x720" };
        var command = new Command("view", "Open a window showing the source with masks, boxes and labels, drawn at display rate; several --source are tiled in a grid, each with its own HUD, through one model. Keys: M masks, B boxes, L labels, H HUD, Space pause, S screenshot, Q/Esc quit; with several streams 0-9 enlarge that stream, the same key or G back to the grid");
        model.AddTo(command);
        source.AddTo(command);
        overlay.AddTo(command);
        pipeline.AddTo(command);
        command.Options.Add(size);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var (w, h) = CliParsing.Size(parse.GetValue(size)!, "--window");
            RequireDisplay();
            var specs = source.Specs(parse);
            var pipelineOptions = new PipelineOptions { Segment = overlay.Segment(parse), MaxInferenceFps = pipeline.MaxInferenceFps(parse) };
            using var segmentation = model.Open(parse);
            var mode = pipeline.Mode(parse, DisplayMode.Live);
            return specs.Count == 1
                ? Show(segmentation, specs[0], source.Options(parse), overlay.Options(parse) with { Hud = true }, pipelineOptions, mode, w, h)
                : ShowGrid(segmentation, specs, source.Options(parse), overlay.Options(parse) with { Hud = true }, pipelineOptions, mode, w, h);
        }));
        return command;
    }

    /// <summary>A display to open a window on, or a clear error that says how to record instead.</summary>
    internal static void RequireDisplay()
    {
        if (!HasDisplay())
        {
            throw new RealtimeSegException("no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); use realtimeseg record --out FILE.mp4 to render offscreen instead");
        }
    }

    internal static bool HasDisplay() =>
        !OperatingSystem.IsLinux() || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));

    /// <summary>Several streams through the one model, tiled in one window (<see cref="TiledStreams"/>).</summary>
    internal static int ShowGrid(SegmentationModel model, IReadOnlyList<SourceSpec> specs, SourceOptions options, OverlayOptions overlay, PipelineOptions pipelineOptions, DisplayMode mode, int width, int height)
    {
        using var streams = StreamSet.Open(model, specs, options, pipelineOptions with { Lossless = false }, mode, realtimeFiles: true);
        using var viewer = new ViewerWindow($"RealtimeSeg: {specs.Count} streams", width, height) { Options = overlay };
        using var tiles = new TiledStreams(streams.Sessions.Select(s => (s.Pipeline, s.DisplayFrames)).ToList());
        streams.Start();
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        viewer.Run(tiles, cancel.Token);
        streams.Stop();
        Console.Out.WriteLine($"viewed {viewer.FramesDrawn} frames of {specs.Count} streams at {viewer.RenderFps:0.0} fps; results per stream {string.Join(", ", streams.Sessions.Select(s => s.Pipeline.Stats.ResultsOut))}{(viewer.LastScreenshot is { } shot ? $"; last screenshot {shot}" : "")}");
        return streams.ReportFaults();
    }

    internal static int Show(SegmentationModel model, SourceSpec spec, SourceOptions options, OverlayOptions overlay, PipelineOptions pipelineOptions, DisplayMode mode, int width, int height)
    {
        // A viewer is live whatever the source: a file plays at its own rate, newest frame wins.
        if (spec.Kind is SourceKind.VideoFile)
        {
            options = options with { Realtime = true };
        }
        using var session = SegmentationSession.FromSource(model, spec, options, pipelineOptions with { Lossless = false }, mode);
        var pipeline = session.Pipeline;
        using var viewer = new ViewerWindow($"RealtimeSeg: {spec}", width, height) { Options = overlay };
        session.Start();
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        viewer.Run(pipeline, session.DisplayFrames, cancel.Token);
        session.Stop();
        if (pipeline.Fault is { } fault)
        {
            throw new RealtimeSegException(fault.Message, fault);
        }
        Console.Out.WriteLine($"viewed {viewer.FramesDrawn} frames at {viewer.RenderFps:0.0} fps; {pipeline.Stats.ResultsOut} results{(viewer.LastScreenshot is { } s ? $"; last screenshot {s}" : "")}");
        return 0;
    }
}
