using System.Runtime.InteropServices;
using RealtimeSeg.Runtime.Onnx.Native;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>Where ORT runs the model. <see cref="Auto"/> takes the first that loads, best first.</summary>
public enum ExecutionProvider { Auto, Cpu, Cuda, TensorRT, DirectML, CoreML, WebGpu }

/// <summary>One provider the selection tried, and why it was not used (null when it was).</summary>
public sealed record ProviderAttempt(ExecutionProvider Provider, string? Failure);

public static unsafe class ExecutionProviders
{
    /// <summary>The order <c>auto</c> tries: fastest first, CPU always last (DESIGN §4).</summary>
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
    /// Providers compiled into the loaded library. This names what was built in, not what can load here
    /// (the npm build lists CUDA and TensorRT without shipping their plug-ins), so selection still tries each.
    /// </summary>
    public static IReadOnlyList<string> Available()
    {
        byte** names;
        int count;
        OrtStatus.Check(OrtApi.GetAvailableProviders(&names, &count));
        var list = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(Marshal.PtrToStringUTF8((nint)names[i]) ?? "");
        }
        OrtStatus.Check(OrtApi.ReleaseAvailableProviders(names, count));
        return list;
    }

    /// <summary>Appends one provider to the options. Returns ORT's reason on failure; the options stay usable.</summary>
    internal static string? TryAppend(nint options, ExecutionProvider provider)
    {
        nint status = provider switch
        {
            ExecutionProvider.Cpu => 0, // always present; nothing to append
            ExecutionProvider.Cuda => AppendCuda(options),
            ExecutionProvider.TensorRT => AppendTensorRt(options),
            ExecutionProvider.DirectML => AppendByName(options, "DML"u8),
            ExecutionProvider.CoreML => AppendByName(options, "CoreML"u8),
            ExecutionProvider.WebGpu => AppendByName(options, "WebGPU"u8),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
        };
        return status == 0 ? null : OrtStatus.TakeMessage(status, out _);
    }

    private static nint AppendByName(nint options, ReadOnlySpan<byte> name)
    {
        fixed (byte* n = name)
        {
            return OrtApi.AppendExecutionProvider(options, n, null, null, 0);
        }
    }

    private static nint AppendCuda(nint options)
    {
        nint cuda;
        nint status = OrtApi.CreateCudaProviderOptions(&cuda);
        if (status != 0)
        {
            return status;
        }
        try
        {
            // Exhaustive cuDNN search re-benchmarks every new input shape (seconds each); a live stream
            // whose frame size can change wants the heuristic choice.
            fixed (byte* key = "cudnn_conv_algo_search"u8)
            fixed (byte* value = "HEURISTIC"u8)
            {
                status = OrtApi.UpdateCudaProviderOptions(cuda, &key, &value, 1);
            }
            return status != 0 ? status : OrtApi.AppendExecutionProviderCudaV2(options, cuda);
        }
        finally
        {
            OrtApi.ReleaseCudaProviderOptions(cuda);
        }
    }

    private static nint AppendTensorRt(nint options)
    {
        nint trt;
        nint status = OrtApi.CreateTensorRtProviderOptions(&trt);
        if (status != 0)
        {
            return status;
        }
        try
        {
            return OrtApi.AppendExecutionProviderTensorRtV2(options, trt);
        }
        finally
        {
            OrtApi.ReleaseTensorRtProviderOptions(trt);
        }
    }
}
