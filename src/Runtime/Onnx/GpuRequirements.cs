using System.Text.RegularExpressions;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// What the GPU providers of this build need from the machine, and a failure to load one told in those terms.
/// .NET users of every ORT tool meet a missing CUDA as "LoadLibrary failed with error 126"; this names the missing
/// library, the versions this build links against, and the fix.
/// </summary>
public static partial class GpuRequirements
{
    // Read off the shipped provider libraries (readelf -d: NEEDED libcudart.so.13, libcublasLt.so.13, libnvinfer.so.10;
    // cuDNN is opened at run time as libcudnn.so.9). The tests check these against the GPU flavour's files.
    // Microsoft.ML.OnnxRuntime.Gpu.* 1.30.0 and 1.31.0 both link CUDA 13.

    /// <summary>CUDA major version the GPU flavour's CUDA and TensorRT providers link against.</summary>
    public const int CudaMajor = 13;

    /// <summary>cuDNN major version the CUDA provider loads.</summary>
    public const int CudnnMajor = 9;

    /// <summary>TensorRT major version the TensorRT provider links against.</summary>
    public const int TensorRtMajor = 10;

    /// <summary>The oldest Linux NVIDIA driver branch that runs CUDA 13.</summary>
    public const int MinimumLinuxDriver = 580;

    /// <summary>One line naming what the GPU flavour needs.</summary>
    public static string Summary =>
        $"an NVIDIA driver {MinimumLinuxDriver} or newer, CUDA {CudaMajor}.x and cuDNN {CudnnMajor} for CUDA {CudaMajor} (TensorRT {TensorRtMajor} for the tensorrt provider)";

    /// <summary>
    /// Turns ORT's reason for a provider that did not load into a sentence that says what is missing and how to fix
    /// it. Reasons that are not about the machine's GPU set-up come back as ORT gave them.
    /// </summary>
    public static string Explain(ExecutionProvider provider, string ortReason)
    {
        ArgumentNullException.ThrowIfNull(ortReason);
        string reason = ortReason.Trim().TrimEnd('.');
        if (provider is not (ExecutionProvider.Cuda or ExecutionProvider.TensorRT))
        {
            return reason;
        }
        string name = ExecutionProviders.CliName(provider);
        string build = $"ONNX Runtime {OrtLibrary.Version} from {(OrtLibrary.IsCustom ? OrtLibrary.LoadedPath : OrtLibrary.Package)}";
        const string orCpu = "or use the CPU provider (ExecutionProvider.Cpu)";

        if (reason.Contains("not enabled in this build", StringComparison.OrdinalIgnoreCase) ||
            reason.Contains("not supported in this build", StringComparison.OrdinalIgnoreCase))
        {
            return $"{name} is not in this build ({build}, the {OrtLibrary.Flavor} flavour); build the GPU flavour " +
                   $"(dotnet build -p:OrtFlavor=gpu, or REALTIMESEG_FLAVOR=gpu ./realtimeseg …), {orCpu}";
        }
        if (MissingLibrary(reason) is { } missing)
        {
            return $"{name} cannot load: {missing} is missing (not installed, or not on the library path). " +
                   $"This build ({build}) needs {Needs(provider)}: install them and put their lib folders on " +
                   $"{(OperatingSystem.IsWindows() ? "PATH" : "LD_LIBRARY_PATH")}, or use an ONNX Runtime built for the CUDA you have (InferenceOptions.OrtLibraryPath), {orCpu}";
        }
        if (reason.Contains("LoadLibrary failed", StringComparison.Ordinal))
        {
            return $"{name} cannot load: Windows could not load one of its DLLs ({reason}). This build ({build}) needs {Needs(provider)} on PATH; {orCpu}";
        }
        if (reason.Contains("no CUDA-capable device", StringComparison.OrdinalIgnoreCase) ||
            reason.Contains("CUDA driver version is insufficient", StringComparison.OrdinalIgnoreCase) ||
            reason.Contains("cudaErrorInsufficientDriver", StringComparison.Ordinal) ||
            reason.Contains("cudaErrorNoDevice", StringComparison.Ordinal))
        {
            return $"{name} cannot run: {reason}. This build ({build}) needs {Needs(provider)}; check the GPU with nvidia-smi, {orCpu}";
        }
        return $"{name} failed: {reason}; {orCpu}";
    }

    private static string Needs(ExecutionProvider provider) => provider == ExecutionProvider.TensorRT
        ? $"TensorRT {TensorRtMajor}, CUDA {CudaMajor}.x, cuDNN {CudnnMajor} and an NVIDIA driver {MinimumLinuxDriver}+"
        : $"CUDA {CudaMajor}.x, cuDNN {CudnnMajor} and an NVIDIA driver {MinimumLinuxDriver}+";

    /// <summary>The library the dynamic loader could not find, e.g. <c>libcublasLt.so.13</c>, or null.</summary>
    internal static string? MissingLibrary(string reason)
    {
        var m = MissingSharedObject().Match(reason);
        return m.Success ? m.Groups[1].Value : null;
    }

    [GeneratedRegex(@"([\w.+-]+\.(?:so(?:\.\d+)*|dylib)): cannot open shared object file")]
    private static partial Regex MissingSharedObject();
}
