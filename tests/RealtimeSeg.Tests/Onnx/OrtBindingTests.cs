using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Onnx;

/// <summary>
/// The runtime on ONNX Runtime's official managed API and native package: introspection, providers, runs, log
/// routing and handle accounting, all against the real library the build brought.
/// </summary>
public sealed class OrtBindingTests
{
    private static readonly InferenceOptions Cpu = new() { Provider = ExecutionProvider.Cpu };

    [Fact]
    public void LoadsThePackagesLibraryAndNamesItsVersionAndPackage()
    {
        using var session = OrtSession.Open(Fixtures.MaskRcnn, Cpu);
        Assert.Equal("1.31.0", OrtLibrary.PackageVersion);
        Assert.Equal(OrtLibrary.PackageVersion, OrtLibrary.Version); // the native library is the managed API's own version
        Assert.Equal("Microsoft.ML.OnnxRuntime", OrtLibrary.Package);
        Assert.Equal("cpu", OrtLibrary.Flavor);
        Assert.False(OrtLibrary.IsCustom);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "libonnxruntime.so"), OrtLibrary.LoadedPath);
        Assert.True(File.Exists(OrtLibrary.LoadedPath));
        Assert.Equal(["CPUExecutionProvider"], ExecutionProviders.Available());
        Assert.Contains("package Microsoft.ML.OnnxRuntime 1.31.0", OrtLibrary.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBuildCopiesOnlyThisPlatformsNativeLibraries()
    {
        // With the runtime identifier named, no other platform's ORT binaries land beside the app.
        string[] natives = Directory.GetFiles(AppContext.BaseDirectory, "*onnxruntime*").Select(Path.GetFileName).ToArray()!;
        Assert.Equal(["libonnxruntime.so", "libonnxruntime_providers_shared.so"], natives.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"), f => Path.GetFileName(f).StartsWith("onnxruntime", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes")), "a runtimes/ folder means every platform's natives were copied");
    }

    [Fact]
    public void IntrospectsInputsOutputsAndMetadata()
    {
        using var session = OrtSession.Open(Fixtures.MaskRcnn, Cpu);
        var input = Assert.Single(session.Inputs);
        Assert.Equal("image", input.Name);
        Assert.Equal(TensorElementType.Float, input.ElementType);
        Assert.Equal([3L, -1L, -1L], input.Shape);
        Assert.Equal(["", "height", "width"], input.DimensionNames);
        Assert.Equal("image: float32[3,height,width]", input.ToString());

        Assert.Equal(["boxes", "labels", "scores", "masks"], session.Outputs.Select(o => o.Name));
        Assert.Equal("labels: int64[N]", session.Outputs[1].ToString());
        Assert.Equal("pytorch", session.ProducerName);
        Assert.Equal("torchvision", session.Metadata["realtimeseg.contract"]);
        Assert.Equal("3", session.Metadata["realtimeseg.num_classes"]);
    }

    [Fact]
    public void NodePlacementCountsTheGraphsNodesPerProvider()
    {
        using var session = OrtSession.Open(Fixtures.MaskRcnn, Cpu);
        var placement = session.NodePlacement;
        Assert.NotNull(placement);
        var (provider, nodes) = Assert.Single(placement);
        Assert.Equal("CPUExecutionProvider", provider);
        Assert.True(nodes > 100, $"a Mask R-CNN graph has hundreds of nodes, ORT reported {nodes}");
    }

    [Fact]
    public void AutoOnTheCpuFlavourRunsOnTheCpuWithoutProbingProvidersItDoesNotHave()
    {
        using var session = OrtSession.Open(Fixtures.MaskRcnn, new InferenceOptions { Provider = ExecutionProvider.Auto });
        Assert.Equal(ExecutionProvider.Cpu, session.Provider);
        var only = Assert.Single(session.ProviderAttempts);
        Assert.Equal(new ProviderAttempt(ExecutionProvider.Cpu, null), only);
    }

    [Theory]
    [InlineData(ExecutionProvider.Cuda, "cuda is not in this build (ONNX Runtime 1.31.0 from Microsoft.ML.OnnxRuntime, the cpu flavour); build the GPU flavour")]
    [InlineData(ExecutionProvider.TensorRT, "tensorrt is not in this build (ONNX Runtime 1.31.0 from Microsoft.ML.OnnxRuntime, the cpu flavour); build the GPU flavour")]
    [InlineData(ExecutionProvider.DirectML, "DmlExecutionProvider is not supported in this build")]
    [InlineData(ExecutionProvider.CoreML, "CoreMLExecutionProvider is not supported in this build")]
    [InlineData(ExecutionProvider.WebGpu, "WebGPU execution provider is not supported in this build")]
    public void AnExplicitProviderThatCannotLoadIsAClearErrorThatSaysWhatToDo(ExecutionProvider provider, string reason)
    {
        var e = Assert.Throws<OrtException>(() => OrtSession.Open(Fixtures.MaskRcnn, new InferenceOptions { Provider = provider }));
        Assert.StartsWith($"execution provider '{ExecutionProviders.CliName(provider)}' is not usable: {reason}", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain("--", e.Message, StringComparison.Ordinal); // a library names its API, not the CLI's flags
        Assert.Equal(0, OrtDiagnostics.LiveHandles);
    }

    [Fact]
    public void EachModelsOrtMessagesReachItsOwnLogger()
    {
        var first = new RecordingLogger();
        var second = new RecordingLogger();
        using (OrtSession.Open(Fixtures.MaskRcnn, Cpu with { Logger = first, LogLevel = OrtLoggingLevel.Info }))
        using (OrtSession.Open(Fixtures.FasterRcnn, Cpu with { Logger = second, LogLevel = OrtLoggingLevel.Info }))
        {
        }
        // ORT logs "Session successfully initialized." once per session at info level, tagged with the session's id.
        Assert.Single(first.Messages, m => m.Contains("Session successfully initialized", StringComparison.Ordinal));
        Assert.Single(second.Messages, m => m.Contains("Session successfully initialized", StringComparison.Ordinal));
        // Verbose messages (read for node placement) stay below the asked level.
        Assert.DoesNotContain(first.Messages, m => m.Contains("placed on", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(" All nodes placed on [CPUExecutionProvider]. Number of nodes: 1224", "CPUExecutionProvider", 1224)]
    [InlineData(" Node(s) placed on [CUDAExecutionProvider]. Number of nodes: 410", "CUDAExecutionProvider", 410)]
    public void PlacementLinesAsOrtWritesThemAreCounted(string line, string provider, int nodes)
    {
        Assert.True(SessionLog.TryParsePlacement(line, out string? p, out int n));
        Assert.Equal((provider, nodes), (p, n));
        Assert.False(SessionLog.TryParsePlacement("Node placements", out _, out _));
    }

    [Fact]
    public void AnotherLibraryCannotBeLoadedOnceOneIs()
    {
        using var session = OrtSession.Open(Fixtures.MaskRcnn, Cpu);
        var e = Assert.Throws<OrtException>(() => OrtLibrary.EnsureLoaded("/tmp/other/libonnxruntime.so.1"));
        Assert.Contains("one process can use only one library", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryNativeHandleIsReleasedAfterUseAndAfterAFailedRun()
    {
        Assert.Equal(0, OrtDiagnostics.LiveHandles);
        using (var model = Fixtures.Open(Fixtures.MaskRcnnRaw))
        using (var slot = model.CreateSlot())
        using (var frame = Fixtures.Frame("scene0"))
        {
            slot.Segment(frame, model.CreateInstanceSet());
            Assert.True(OrtDiagnostics.LiveHandles > 0);
        }
        Assert.Equal(0, OrtDiagnostics.LiveHandles);

        // A run that fails inside ORT (cancelled through its run options) must leave nothing behind either.
        using (var model = Fixtures.Open(Fixtures.MaskRcnnRaw))
        using (var slot = model.CreateSlot())
        using (var frame = Fixtures.Frame("scene0"))
        {
            slot.Preprocess(frame);
            slot.Cancel();
            var e = Assert.Throws<OrtException>(slot.Run);
            Assert.Contains("terminate", e.Message, StringComparison.OrdinalIgnoreCase);
            slot.Outputs.ResetTerminate();
            slot.Run();
        }
        Assert.Equal(0, OrtDiagnostics.LiveHandles);
    }

    [Fact]
    public void OptionsReachTheSessionAndTheOptimisedGraphIsWritten()
    {
        using var dir = Fixtures.TempDir();
        string optimized = dir.File("optimized.onnx");
        var options = new InferenceOptions
        {
            Provider = ExecutionProvider.Cpu, IntraOpThreads = 1, InterOpThreads = 2,
            Optimization = GraphOptimizationLevel.Basic, OptimizedModelPath = optimized,
        };
        using (var session = OrtSession.Open(Fixtures.MaskRcnn, options))
        {
            Assert.True(File.Exists(optimized));
        }
        // The written graph is a model ORT loads again, and it still serves the same contract.
        using var reloaded = Fixtures.Open(optimized);
        Assert.Equal(ModelContract.Torchvision, reloaded.Layout.Contract);
    }

    [Fact]
    public void SteadyStateSegmentationAllocatesNoManagedMemoryOfOurOwn()
    {
        foreach (string path in new[] { Fixtures.MaskRcnn, Fixtures.MaskRcnnRaw, Fixtures.FasterRcnn })
        {
            using var model = Fixtures.Open(path);
            using var slot = model.CreateSlot();
            using var frame = Fixtures.Frame("scene2");
            var set = model.CreateInstanceSet();
            var options = SegmentOptions.Default;
            var pasted = new MaskBitmap();
            void SegmentAndPaste()
            {
                slot.Segment(frame, set, options);
                for (int k = 0; k < set.Count && set.MaskKind != MaskKind.None; k++)
                {
                    set.Mask(k, pasted); // CPU paste into a reused bitmap
                }
            }
            for (int i = 0; i < 3; i++)
            {
                SegmentAndPaste(); // grow buffers once
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            long ort = 0;
            for (int i = 0; i < 50; i++)
            {
                SegmentAndPaste();
                ort += slot.Outputs.LastRunManagedBytes;
            }
            long ours = (GC.GetAllocatedBytesForCurrentThread() - before - ort) / 50;
            Assert.True(set.Count > 0);
            Assert.True(ours == 0, $"{Path.GetFileName(path)}: {ours} managed bytes of our own allocated per frame");
            // ORT's managed API wraps each run's outputs in new objects: measured apart, and small.
            Assert.InRange(ort / 50, 1, 2048);
        }
    }
}

internal sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

    public IReadOnlyCollection<string> Messages => _messages;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
        Exception? exception, Func<TState, Exception?, string> formatter) => _messages.Enqueue(formatter(state, exception));
}
