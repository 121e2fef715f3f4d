using System.Diagnostics;
using System.Text.RegularExpressions;
using RealtimeSeg.Runtime.Onnx;

namespace RealtimeSeg.Tests.Cli;

/// <summary>
/// Builds the GPU flavour (Microsoft.ML.OnnxRuntime.Gpu.Linux) once, with the same bootstrap a user runs, into its own
/// folder. The CPU-flavour tests run from their own build beside it.
/// </summary>
public sealed class GpuFlavourBuild
{
    public GpuFlavourBuild()
    {
        var info = new ProcessStartInfo(Path.Combine(Fixtures.RepoRoot, "scripts", "bootstrap.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Fixtures.RepoRoot,
        };
        info.ArgumentList.Add("app");
        info.Environment["REALTIMESEG_FLAVOR"] = "gpu";
        using var build = Process.Start(info)!;
        var stdout = build.StandardOutput.ReadToEndAsync();
        var stderr = build.StandardError.ReadToEndAsync();
        if (!build.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            build.Kill(entireProcessTree: true);
            throw new TimeoutException("building the GPU flavour took more than 10 minutes");
        }
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"building the GPU flavour failed:\n{stdout.Result}\n{stderr.Result}");
        }
        AppDir = Path.Combine(Fixtures.RepoRoot, "src", "App", "bin", "gpu", "Release", "net10.0");
    }

    public string AppDir { get; }

    internal CliRunner.Result Run(params string[] args) => CliRunner.Run(args, appDll: Path.Combine(AppDir, "realtimeseg.dll"));
}

/// <summary>The GPU flavour on this GPU-less machine: it builds, names what it needs, and falls back when asked to.</summary>
public sealed class GpuFlavourTests(GpuFlavourBuild gpu) : IClassFixture<GpuFlavourBuild>
{
    [Fact]
    public void TheGpuFlavourShipsCudaAndTensorRtProvidersAndOnlyThisPlatformsNatives()
    {
        var natives = Directory.GetFiles(gpu.AppDir, "libonnxruntime*").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["libonnxruntime.so", "libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so", "libonnxruntime_providers_tensorrt.so"], natives);
        Assert.DoesNotContain(Directory.GetFiles(gpu.AppDir, "*.dll"), f => Path.GetFileName(f).StartsWith("onnxruntime", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(gpu.AppDir, "runtimes")));
    }

    [Fact]
    public void TheVersionsTheErrorsNameAreTheOnesTheShippedProvidersLink()
    {
        // What GpuRequirements tells users must be what the binaries ask the loader for.
        string[] cuda = Needed(Path.Combine(gpu.AppDir, "libonnxruntime_providers_cuda.so"));
        Assert.Contains($"libcudart.so.{GpuRequirements.CudaMajor}", cuda);
        Assert.Contains($"libcublasLt.so.{GpuRequirements.CudaMajor}", cuda);
        string[] trt = Needed(Path.Combine(gpu.AppDir, "libonnxruntime_providers_tensorrt.so"));
        Assert.Contains($"libnvinfer.so.{GpuRequirements.TensorRtMajor}", trt);
        Assert.Contains($"libcudnn.so.{GpuRequirements.CudnnMajor}", trt);
    }

    [Fact]
    public void CudaOnAMachineWithoutCudaIsOneLineNamingTheMissingLibraryTheVersionsAndTheFix()
    {
        string line = CliRunner.AssertOneLineError(gpu.Run("info", "--model", Fixtures.MaskRcnn, "--provider", "cuda"));
        var missing = Regex.Match(line, @"cuda cannot load: (lib[\w.]+\.so\.\d+) is missing \(not installed, or not on the library path\)");
        Assert.True(missing.Success, line);
        Assert.StartsWith("libcu", missing.Groups[1].Value, StringComparison.Ordinal);
        Assert.Contains("This build (ONNX Runtime 1.31.0 from Microsoft.ML.OnnxRuntime.Gpu.Linux) needs CUDA 13.x, cuDNN 9 and an NVIDIA driver 580+", line, StringComparison.Ordinal);
        Assert.EndsWith("or use the CPU provider (--provider cpu)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoRunsOnTheCpuAndSaysOnceWhyEachGpuProviderDidNot()
    {
        var r = gpu.Run("info", "--model", Fixtures.MaskRcnn);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("flavour      gpu (needs an NVIDIA driver 580 or newer, CUDA 13.x and cuDNN 9 for CUDA 13 (TensorRT 10 for the tensorrt provider))", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("compiled in  TensorrtExecutionProvider, CUDAExecutionProvider, CPUExecutionProvider", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"not usable   tensorrt: tensorrt cannot load: lib[\w.]+\.so\.\d+ is missing", r.Stdout);
        Assert.Matches(@"not usable   cuda: cuda cannot load: lib[\w.]+\.so\.\d+ is missing", r.Stdout);
        Assert.Contains("provider     cpu (running)", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("onnxruntime  1.31.0 (package Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31.0, ", r.Stdout, StringComparison.Ordinal);
        // The fallback is told once on stderr, as a warning, not as an error.
        var warning = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("warning: running on cpu: tensorrt cannot load: ", warning, StringComparison.Ordinal);
        Assert.Contains("; cuda cannot load: ", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void TheGpuFlavourSegmentsOnTheCpuLikeTheCpuFlavour()
    {
        string frame = Path.Combine(Fixtures.Dir, "frames", "scene0.ppm");
        var cpu = CliRunner.Run(["segment", "--model", Fixtures.MaskRcnn, "--input", frame, "--json", "--provider", "cpu"]);
        var gpuBuild = gpu.Run("segment", "--model", Fixtures.MaskRcnn, "--input", frame, "--json", "--provider", "cpu");
        Assert.True(cpu.ExitCode == 0, cpu.Stderr);
        Assert.True(gpuBuild.ExitCode == 0, gpuBuild.Stderr);
        Assert.Equal(Instances(cpu.Stdout), Instances(gpuBuild.Stdout));
    }

    // The instances (boxes, scores, classes, RLE masks) of every image, without the timings.
    private static string Instances(string segmentJson)
    {
        var images = System.Text.Json.Nodes.JsonNode.Parse(segmentJson)!["images"]!.AsArray();
        Assert.NotEmpty(images[0]!["instances"]!.AsArray());
        return string.Join('\n', images.Select(i => i!["instances"]!.ToJsonString()));
    }

    private static string[] Needed(string library)
    {
        var info = new ProcessStartInfo("readelf", ["-d", library]) { RedirectStandardOutput = true };
        using var readelf = Process.Start(info)!;
        string text = readelf.StandardOutput.ReadToEnd();
        readelf.WaitForExit();
        return Regex.Matches(text, @"\(NEEDED\)\s+Shared library: \[([^\]]+)\]").Select(m => m.Groups[1].Value).ToArray();
    }
}

/// <summary>bench/gpu-check.sh: what it packs fits a device run and runs without .NET installed.</summary>
public sealed class GpuCheckScriptTests
{
    [Fact]
    public async Task ThePackIsUnder64MiBAndRunsWithoutTheDotnetSdk()
    {
        using var dir = Fixtures.TempDir();
        string pack = Path.Combine(dir.Path, "gpu-check");
        var psi = new ProcessStartInfo(Path.Combine(Fixtures.RepoRoot, "bench", "gpu-check.sh"), ["pack", pack])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using (var script = Process.Start(psi)!)
        {
            var stderr = script.StandardError.ReadToEndAsync();
            Assert.Equal(pack, script.StandardOutput.ReadToEnd().Trim());
            Assert.True(script.WaitForExit(TimeSpan.FromMinutes(5)));
            Assert.True(script.ExitCode == 0, await stderr);
        }
        long bytes = Directory.EnumerateFiles(pack, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(bytes < 64L << 20, $"the pack is {bytes >> 20} MiB; a device run carries at most 64 MiB");

        // No dotnet on PATH and no DOTNET_ROOT: the packed app must bring its own runtime.
        var run = new ProcessStartInfo("bash", [Path.Combine(pack, "gpu-check.sh"), "run", pack])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        run.Environment["PATH"] = ToolsWithoutDotnet(dir.Path);
        run.Environment["DOTNET_ROOT"] = Path.Combine(dir.Path, "no-dotnet");
        run.Environment["HOME"] = dir.Path;
        using var app = Process.Start(run)!;
        var err = app.StandardError.ReadToEndAsync();
        string stdout = await app.StandardOutput.ReadToEndAsync();
        Assert.True(app.WaitForExit(TimeSpan.FromMinutes(5)));
        Assert.True(app.ExitCode == 0, await err);
        Assert.Contains("== machine", stdout, StringComparison.Ordinal);
        Assert.Contains("provider     cpu (running)", stdout, StringComparison.Ordinal);
        Assert.Contains("bare Run", stdout, StringComparison.Ordinal);
        Assert.Contains("overlay      50 instances", stdout, StringComparison.Ordinal);
        Assert.Contains("contract     torchvision-raw", stdout, StringComparison.Ordinal);
    }

    // A folder of links to the programs the script uses (xz, tar, nvidia-smi if any, ...) but not dotnet.
    private static string ToolsWithoutDotnet(string dir)
    {
        string tools = Path.Combine(dir, "tools");
        Directory.CreateDirectory(tools);
        foreach (string tool in new[] { "bash", "xz", "tar", "mktemp", "rm", "uname", "nproc", "ldconfig", "awk", "grep", "sed", "ls", "cat", "du", "cut", "dirname", "head" })
        {
            string? found = new[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
            if (found is not null)
            {
                File.CreateSymbolicLink(Path.Combine(tools, tool), found);
            }
        }
        return tools;
    }
}
