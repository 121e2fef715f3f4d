using Microsoft.ML.OnnxRuntime;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>Where ORT runs the model. <see cref="Auto"/> takes the first that builds a session, best first.</summary>
public enum ExecutionProvider
{
    /// <summary>The compiled-in GPU providers best first (TensorRT, CUDA, DirectML, CoreML, WebGPU), then the CPU.</summary>
    Auto,

    /// <summary>ONNX Runtime's CPU provider: always there.</summary>
    Cpu,

    /// <summary>NVIDIA CUDA (the GPU packages; CUDA 13 and cuDNN 9 on the machine).</summary>
    Cuda,

    /// <summary>NVIDIA TensorRT (the GPU packages; TensorRT 10 as well as CUDA).</summary>
    TensorRT,

    /// <summary>DirectML on Windows (an ONNX Runtime build with it).</summary>
    DirectML,

    /// <summary>Core ML on Apple platforms (an ONNX Runtime build with it).</summary>
    CoreML,

    /// <summary>WebGPU (an ONNX Runtime build with it).</summary>
    WebGpu,
}

/// <summary>One provider the selection tried, and why it was not used (null when it was).</summary>
public sealed record ProviderAttempt(ExecutionProvider Provider, string? Failure);

internal static class ExecutionProviders
{
    /// <summary>The order <c>auto</c> tries: fastest first, CPU always last.</summary>
    internal static readonly ExecutionProvider[] AutoOrder =
    [
        ExecutionProvider.TensorRT, ExecutionProvider.Cuda, ExecutionProvider.DirectML,
        ExecutionProvider.CoreML, ExecutionProvider.WebGpu, ExecutionProvider.Cpu,
    ];

    public static string OrtName(ExecutionProvider p) => p switch
    {
        ExecutionProvider.Cpu => "CPUExecutionProvider",
        ExecutionProvider.Cuda => "CUDAExecutionProvider",
        ExecutionProvider.TensorRT => "TensorrtExecutionProvider",
        ExecutionProvider.DirectML => "DmlExecutionProvider",
        ExecutionProvider.CoreML => "CoreMLExecutionProvider",
        ExecutionProvider.WebGpu => "WebGpuExecutionProvider",
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, null),
    };

    public static string CliName(ExecutionProvider p) => p switch
    {
        ExecutionProvider.DirectML => "dml",
        _ => p.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// Providers compiled into the loaded library. This names what was built in, not what can load here (the GPU
    /// build lists CUDA and TensorRT on a machine without CUDA), so selection still tries each.
    /// </summary>
    public static IReadOnlyList<string> Available(string? libraryPath = null)
    {
        OrtEnvironment.EnsureCreated(libraryPath, null);
        return OrtEnv.Instance().GetAvailableProviders();
    }

    /// <summary>Appends one provider to the options. Returns the reason on failure; the options stay usable.</summary>
    internal static string? TryAppend(SessionOptions options, ExecutionProvider provider)
    {
        using var log = OrtEnvironment.CaptureUntagged();
        try
        {
            switch (provider)
            {
                case ExecutionProvider.Cpu:
                    break; // always present; nothing to append
                case ExecutionProvider.Cuda:
                    AppendCuda(options);
                    break;
                case ExecutionProvider.TensorRT:
                    AppendTensorRt(options);
                    break;
                case ExecutionProvider.DirectML:
                    options.AppendExecutionProvider_DML(0);
                    break;
                case ExecutionProvider.CoreML:
                    options.AppendExecutionProvider_CoreML(CoreMLFlags.COREML_FLAG_USE_NONE);
                    break;
                case ExecutionProvider.WebGpu:
                    options.AppendExecutionProvider("WebGPU", []);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(provider), provider, null);
            }
            return null;
        }
        catch (OnnxRuntimeException e)
        {
            return WithLoggedCause(OrtException.MessageOf(e), log.Messages);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or NotSupportedException)
        {
            // The managed API calls a provider's own export, which only builds for that platform have.
            return $"{OrtName(provider)} is not supported in this build";
        }
    }

    // ORT's exception for a provider library that does not load says only "Failed to load shared library"; the
    // loader's own reason (which dependency is missing) is in what it logged just before.
    private static string WithLoggedCause(string reason, IReadOnlyList<string> logged)
    {
        const string marker = "Failed to load library ";
        string? cause = logged.LastOrDefault(m => m.Contains(marker, StringComparison.Ordinal));
        if (cause is null || reason.Contains(marker, StringComparison.Ordinal))
        {
            return reason;
        }
        return $"{reason.TrimEnd('.')} ({cause[cause.IndexOf(marker, StringComparison.Ordinal)..].Trim()})";
    }

    private static void AppendCuda(SessionOptions options)
    {
        var cuda = OrtObject.Track(new OrtCUDAProviderOptions());
        try
        {
            // Exhaustive cuDNN search re-benchmarks every new input shape (seconds each); a live stream whose frame
            // size can change wants the heuristic choice.
            cuda.UpdateOptions(new Dictionary<string, string>(StringComparer.Ordinal) { ["cudnn_conv_algo_search"] = "HEURISTIC" });
            options.AppendExecutionProvider_CUDA(cuda);
        }
        finally
        {
            OrtObject.Release(ref cuda);
        }
    }

    private static void AppendTensorRt(SessionOptions options)
    {
        var trt = OrtObject.Track(new OrtTensorRTProviderOptions());
        try
        {
            options.AppendExecutionProvider_Tensorrt(trt);
        }
        finally
        {
            OrtObject.Release(ref trt);
        }
    }
}
