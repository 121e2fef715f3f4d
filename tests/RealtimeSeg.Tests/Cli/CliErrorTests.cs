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
    public void UnusableProviderCarriesOrtsReason()
    {
        string line = CliRunner.AssertOneLineError(CliRunner.Run(["info", "--model", Fixtures.MaskRcnn, "--provider", "cuda"]));
        Assert.StartsWith("error: execution provider 'cuda' is not usable with libonnxruntime.so.1: ", line, StringComparison.Ordinal);
        Assert.Contains("libonnxruntime_providers_shared.so", line, StringComparison.Ordinal);
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
    public void OrtLibraryNotFoundSaysHowToGetIt()
    {
        string line = CliRunner.AssertOneLineError(CliRunner.Run(["info", "--model", Fixtures.MaskRcnn],
            new Dictionary<string, string> { ["REALTIMESEG_ORT_LIB"] = "/opt/missing/libonnxruntime.so.1" }));
        Assert.Equal("error: ONNX Runtime library not found (looked in: /opt/missing/libonnxruntime.so.1); run ./scripts/bootstrap.sh to fetch it, or set REALTIMESEG_ORT_LIB to a libonnxruntime.so.1", line);
    }

    [Fact]
    public void ALibraryThatIsNotOnnxRuntimeIsNamed()
    {
        string line = CliRunner.AssertOneLineError(CliRunner.Run(["info", "--model", Fixtures.MaskRcnn, "--ort-lib", "/lib/x86_64-linux-gnu/libz.so.1"]));
        Assert.Equal("error: /lib/x86_64-linux-gnu/libz.so.1 is not an ONNX Runtime library (it has no OrtGetApiBase export)", line);
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
