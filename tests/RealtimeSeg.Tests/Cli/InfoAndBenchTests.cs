using System.Text.Json;

namespace RealtimeSeg.Tests.Cli;

public sealed class InfoAndBenchTests
{
    [Fact]
    public void InfoPrintsContractIoClassesVersionAndTheProviderInUse()
    {
        var r = CliRunner.Run(["info", "--model", Fixtures.MaskRcnnRaw]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("contract     torchvision-raw: RGB in [0,1]; raw 28x28 masks per box, pasted by RealtimeSeg", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("input        image: float32[3,height,width]", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("output       labels: int64[N]", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("classes      2 + background: box, disc (from model metadata", r.Stdout, StringComparison.Ordinal);
        Assert.Contains($"onnxruntime  1.31.0 (package Microsoft.ML.OnnxRuntime 1.31.0, {Path.Combine(AppContext.BaseDirectory, "libonnxruntime.so")})", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("flavour      cpu (build with -p:OrtFlavor=gpu for CUDA and TensorRT)", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("compiled in  CPUExecutionProvider\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("provider     cpu (running)", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"graph nodes  (\d+) \(CPUExecutionProvider \1\)", r.Stdout);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void BenchHostWithSeveralStreamsReportsTheirAggregateFairnessAndMemory()
    {
        using var dir = Fixtures.TempDir();
        string frame = dir.File("frame.ppm");
        using (var picture = RealtimeSeg.Runtime.Imaging.Png.Read(Path.Combine(Fixtures.DemoDir, "images", "val", "000001.png")))
        {
            RealtimeSeg.Runtime.Imaging.Ppm.Write(frame, picture);
        }
        var r = CliRunner.Run(["bench-host", "--model", Fixtures.DemoModel, "--streams", "3", "--seconds", "1", "--rounds", "1", "--json", frame]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("streams").GetInt32());
        Assert.True(root.GetProperty("resultsPerSecond").GetDouble() > 0);
        Assert.True(root.GetProperty("bareRunsPerSecond").GetDouble() > 0);
        Assert.InRange(root.GetProperty("minOverMax").GetDouble(), 0.01, 1.0);
        Assert.True(root.GetProperty("residentMbAllStreams").GetInt64() > 0);
        Assert.Matches(@"round 1: bare Run [0-9.]+/s, 1 stream [0-9.]+/s, 3 streams [0-9.]+/s \(per stream \d+ \d+ \d+, min/max [0-9.]+\)", r.Stderr);
        Assert.Equal("error: --streams 0 is out of range; use 1 to 64",
            CliRunner.AssertOneLineError(CliRunner.Run(["bench-host", "--model", Fixtures.DemoModel, "--streams", "0", frame])));
    }

    [Fact]
    public void BenchReportsBareRunThroughputAsJson()
    {
        var r = CliRunner.Run(["bench", "--model", Fixtures.MaskRcnnRaw, "--runs", "5", "--json", "--provider", "cpu"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal("cpu", root.GetProperty("provider").GetString());
        Assert.Equal(5, root.GetProperty("runs").GetInt32());
        Assert.Equal("640x480", root.GetProperty("frame").GetString());
        Assert.Equal("160x120", root.GetProperty("tensor").GetString());
        double fps = root.GetProperty("bare.fps").GetDouble();
        double mean = root.GetProperty("bare.meanMs").GetDouble();
        Assert.True(fps > 0 && mean > 0);
        Assert.Equal(1000 / mean, fps, 0.05 * fps);
        Assert.True(root.GetProperty("bare.p95Ms").GetDouble() >= root.GetProperty("bare.p50Ms").GetDouble());
    }

    [Fact]
    public void BenchWithASourceComparesBareRunAndThePipelineOnTheSameFrames()
    {
        var r = CliRunner.Run(["bench", "--model", Fixtures.DemoModel, "--source", "synthetic", "--frames", "40", "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(40, root.GetProperty("frames").GetInt32());
        Assert.Equal("640x480", root.GetProperty("frame").GetString());
        double bare = root.GetProperty("bare.fps").GetDouble();
        foreach (string k in new[] { "pipeline1", "pipeline2" })
        {
            double fps = root.GetProperty($"{k}.fps").GetDouble();
            Assert.True(fps > 0 && bare > 0);
            Assert.Equal(Math.Round(fps / bare, 3), root.GetProperty($"{k}.ratio").GetDouble(), 2);
            Assert.True(root.GetProperty($"{k}.runMs").GetDouble() > 0);
            Assert.True(root.GetProperty($"{k}.latencyP99Ms").GetDouble() >= root.GetProperty($"{k}.latencyP50Ms").GetDouble());
            Assert.True(root.GetProperty($"{k}.frameTimeP95Ms").GetDouble() > 0);
        }
        Assert.Equal(root.GetProperty("pipeline2.fps").GetDouble(), root.GetProperty("pipeline.fps").GetDouble());
        Assert.True(root.TryGetProperty("allocBytesPerFrame", out _));
    }

    [Fact]
    public void BenchRenderTimesTheOverlayHeadless()
    {
        var r = CliRunner.Run(["bench-render", "--instances", "1,10", "--frames", "10", "--viewport", "640x360", "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("renderer").GetString()));
        foreach (string key in new[] { "overlay.1.pbo", "overlay.1.direct", "overlay.10.pbo", "overlay.10.direct" })
        {
            Assert.True(root.GetProperty($"{key}.wallMs").GetDouble() > 0, key);
            Assert.True(root.GetProperty($"{key}.cpuMs").GetDouble() > 0, key);
        }
    }

    [Theory]
    [InlineData("--slots", "0,2", "--slots '0,2'")]
    [InlineData("--frames", "2", "--frames 2 is too few")]
    public void BenchPipelineOptionsAreChecked(string option, string value, string message)
    {
        var r = CliRunner.Run(["bench", "--model", Fixtures.DemoModel, "--source", "synthetic", option, value]);
        Assert.Contains(message, CliRunner.AssertOneLineError(r), StringComparison.Ordinal);
    }

    [Fact]
    public void BenchTextNamesTheProviderAndPercentiles()
    {
        var r = CliRunner.Run(["bench", "--model", Fixtures.FasterRcnn, "--runs", "3", "--input", "320x240"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("provider    cpu (ONNX Runtime 1.31.0)", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"bare Run\s+[\d.]+ fps\s+mean [\d.]+ ms\s+p50 [\d.]+ ms\s+p95 [\d.]+ ms", r.Stdout);
    }

    [Fact]
    public void HelpExplainsEveryOptionWithItsDefault()
    {
        var r = CliRunner.Run(["bench", "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--runs", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("[default: 50]", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("[default: auto]", r.Stdout, StringComparison.Ordinal);
    }
}
