using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Onnx.Native;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Onnx;

/// <summary>The ORT binding against the real library: introspection, providers, runs, and handle accounting.</summary>
public sealed class OrtBindingTests
{
    private static readonly InferenceOptions Cpu = new() { Provider = ExecutionProvider.Cpu };

    [Fact]
    public void LoadsThePinnedLibraryAndReportsItsVersionAndProviders()
    {
        using var session = OrtSession.Open(Fixtures.MaskRcnn, Cpu);
        Assert.Equal(OrtLibrary.PinnedVersion, OrtLibrary.Version);
        Assert.Contains("git-commit-id", OrtLibrary.BuildInfo, StringComparison.Ordinal);
        Assert.Contains("CPUExecutionProvider", ExecutionProviders.Available());
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
    public void AutoFallsBackToCpuAndRecordsWhyEachGpuProviderFailed()
    {
        using var session = OrtSession.Open(Fixtures.MaskRcnn, new InferenceOptions { Provider = ExecutionProvider.Auto });
        Assert.Equal(ExecutionProvider.Cpu, session.Provider);
        Assert.Equal(ExecutionProvider.Cpu, session.ProviderAttempts[^1].Provider);
        Assert.Null(session.ProviderAttempts[^1].Failure);
        // This build lists CUDA as compiled in; its plug-in is not shipped, so the append must have failed.
        var cuda = Assert.Single(session.ProviderAttempts, a => a.Provider == ExecutionProvider.Cuda);
        Assert.Contains("libonnxruntime_providers_shared.so", cuda.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExecutionProvider.Cuda, "libonnxruntime_providers_shared")]
    [InlineData(ExecutionProvider.TensorRT, "Failed to load shared library")]
    [InlineData(ExecutionProvider.DirectML, "DML execution provider is not supported in this build")]
    [InlineData(ExecutionProvider.CoreML, "CoreML execution provider is not supported in this build")]
    public void AnExplicitProviderThatCannotLoadIsAClearErrorWithOrtsReason(ExecutionProvider provider, string ortReason)
    {
        var e = Assert.Throws<OrtException>(() => OrtSession.Open(Fixtures.MaskRcnn, new InferenceOptions { Provider = provider }));
        Assert.StartsWith($"execution provider '{ExecutionProviders.CliName(provider)}' is not usable with libonnxruntime.so.1: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(ortReason, e.Message, StringComparison.Ordinal);
        Assert.EndsWith("Use --provider auto or cpu, or point REALTIMESEG_ORT_LIB at an ONNX Runtime build that has it", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, OrtDiagnostics.LiveHandles);
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
    public void SteadyStateSegmentationAllocatesNoManagedMemory()
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
            for (int i = 0; i < 50; i++)
            {
                SegmentAndPaste();
            }
            long perFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / 50;
            Assert.True(set.Count > 0);
            Assert.True(perFrame == 0, $"{Path.GetFileName(path)}: {perFrame} managed bytes allocated per frame");
        }
    }
}
