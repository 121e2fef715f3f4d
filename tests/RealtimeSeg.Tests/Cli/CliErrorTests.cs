namespace RealtimeSeg.Tests.Cli;

/// <summary>Bad input: one clear line naming the problem and the fix, exit code 2, never a stack dump.</summary>
public sealed class CliErrorTests
{
    [Fact]
    public void MissingModelFile()
    {
        string line = CliRunner.AssertOneLineError(CliRunner.Run(["info", "--model", "nope.onnx"]));
        Assert.Equal("error: model file nope.onnx not found; pass --model with the path of an .onnx file", line);
    }

    [Fact]
    public void NotADetector()
    {
        string line = CliRunner.AssertOneLineError(CliRunner.Run(["info", "--model", Fixtures.NotADetector]));
        Assert.StartsWith("error: not_a_detector.onnx is not a detector RealtimeSeg can serve: it has inputs input: float32[1,3,32,32]", line, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedModel()
    {
        using var dir = Fixtures.TempDir();
        string path = dir.File("cut.onnx");
        byte[] bytes = File.ReadAllBytes(Fixtures.MaskRcnn);
        File.WriteAllBytes(path, bytes[..1000]);
        string line = CliRunner.AssertOneLineError(CliRunner.Run(["bench", "--model", path]));
        Assert.StartsWith($"error: {path} is not a loadable ONNX model (truncated or corrupt?)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void AProviderTheBuildLacksSaysWhichFlavourHasIt()
    {
        string line = CliRunner.AssertOneLineError(CliRunner.Run(["info", "--model", Fixtures.MaskRcnn, "--provider", "cuda"]));
        Assert.Equal("error: execution provider 'cuda' is not usable: cuda is not in this build (ONNX Runtime 1.31.0 from Microsoft.ML.OnnxRuntime, the cpu flavour); " +
                     "build the GPU flavour (dotnet build -p:OrtFlavor=gpu, or REALTIMESEG_FLAVOR=gpu ./realtimeseg …), or use the CPU provider (--provider cpu)", line);
    }

    [Fact]
    public void UnknownProviderAndBadNumbers()
    {
        Assert.Equal("error: unknown provider 'gpu'; expected auto, cpu, cuda, tensorrt, dml, coreml or webgpu",
            CliRunner.AssertOneLineError(CliRunner.Run(["info", "--model", Fixtures.MaskRcnn, "--provider", "gpu"])));
        Assert.Equal("error: --runs 0 must be at least 1",
            CliRunner.AssertOneLineError(CliRunner.Run(["bench", "--model", Fixtures.MaskRcnn, "--runs", "0"])));
        Assert.Equal("error: --input '640' is not a size; expected WxH, e.g. 640x480",
            CliRunner.AssertOneLineError(CliRunner.Run(["bench", "--model", Fixtures.MaskRcnn, "--input", "640"])));
    }

    [Fact]
    public void ACustomOrtLibraryThatDoesNotExistIsNamed()
    {
        string line = CliRunner.AssertOneLineError(CliRunner.Run(["info", "--model", Fixtures.MaskRcnn],
            new Dictionary<string, string> { ["REALTIMESEG_ORT_LIB"] = "/opt/missing/libonnxruntime.so" }));
        Assert.Equal("error: ONNX Runtime library /opt/missing/libonnxruntime.so not found; name an existing libonnxruntime.so, or leave the custom library unset to use the one from Microsoft.ML.OnnxRuntime", line);
    }

    [Fact]
    public void ACustomLibraryThatIsNotOnnxRuntimeIsNamed()
    {
        string line = CliRunner.AssertOneLineError(CliRunner.Run(["info", "--model", Fixtures.MaskRcnn, "--ort-lib", "/lib/x86_64-linux-gnu/libz.so.1"]));
        Assert.StartsWith("error: cannot use the ONNX Runtime library /lib/x86_64-linux-gnu/libz.so.1: ", line, StringComparison.Ordinal);
        Assert.Contains("OrtGetApiBase", line, StringComparison.Ordinal);
        Assert.EndsWith("a custom library must be ONNX Runtime 1.31.0 or newer (this build's managed API), built for this platform", line, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLibraryThePackageBroughtWorksWhenNamedAsACustomOne()
    {
        // --ort-lib is the way to a custom build (CUDA 12, say); naming the package's own library proves the path works.
        string lib = Path.Combine(AppContext.BaseDirectory, "libonnxruntime.so");
        var r = CliRunner.Run(["info", "--model", Fixtures.MaskRcnn, "--ort-lib", lib]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains($"onnxruntime  1.31.0 (custom library {lib}; managed API 1.31.0)", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRequiredOptionIsAUsageError()
    {
        var r = CliRunner.Run(["info"]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--model", r.Stderr + r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }
}
