using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using RealtimeSeg.Runtime.Onnx.Native;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// The process's one <c>OrtEnv</c>, shared by every session and released with the last of them.
/// ORT hands back the same env for a second CreateEnv and ignores its arguments, so the logger must be
/// fixed at first creation: ours is a static callback that forwards to whatever <see cref="Logger"/> is now.
/// </summary>
internal sealed unsafe class OrtEnvironment
{
    private static readonly Lock Gate = new();
    private static OrtEnvironment? _shared;
    private static int _references;
    private static volatile ILogger? _logger;
    private static int _probing;

    private OrtEnvironment(OrtHandle env, OrtHandle cpuMemory)
    {
        Handle = env;
        CpuMemory = cpuMemory;
    }

    public OrtHandle Handle { get; }

    /// <summary>CPU memory description for tensors created over our own buffers.</summary>
    public OrtHandle CpuMemory { get; }

    public static ILogger? Logger
    {
        get => _logger;
        set => _logger = value;
    }

    /// <summary>
    /// While a provider is being probed, ORT's messages about its failure are expected, not errors: they are
    /// passed on at debug level only. ORT has one logger per process, so this is a process-wide scope.
    /// </summary>
    public static IDisposable ProbeScope()
    {
        Interlocked.Increment(ref _probing);
        return new ProbeEnd();
    }

    private sealed class ProbeEnd : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref _probing);
            }
        }
    }

    public static OrtEnvironment Acquire(string? libraryPath, OrtLoggingLevel level)
    {
        OrtLibrary.EnsureLoaded(libraryPath);
        lock (Gate)
        {
            if (_shared is null)
            {
                nint env;
                fixed (byte* id = "realtimeseg"u8)
                {
                    OrtStatus.Check(OrtApi.CreateEnvWithCustomLogger(&OnLog, 0, level, id, &env));
                }
                var envHandle = new OrtHandle(env, OrtHandleKind.Env);
                nint memory;
                OrtStatus.Check(OrtApi.CreateCpuMemoryInfo(OrtAllocatorType.Arena, OrtMemType.Default, &memory));
                _shared = new OrtEnvironment(envHandle, new OrtHandle(memory, OrtHandleKind.MemoryInfo));
            }
            _references++;
            return _shared;
        }
    }

    public void Release()
    {
        lock (Gate)
        {
            if (--_references == 0)
            {
                CpuMemory.Dispose();
                Handle.Dispose();
                _shared = null;
            }
        }
    }

    /// <summary>The default CPU allocator: owned by ORT, never released.</summary>
    public static nint DefaultAllocator
    {
        get
        {
            nint allocator;
            OrtStatus.Check(OrtApi.GetAllocatorWithDefaultOptions(&allocator));
            return allocator;
        }
    }

    // Called on ORT's threads; must not throw back into native code.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(nint param, int severity, byte* category, byte* logId, byte* codeLocation, byte* message)
    {
        var logger = _logger;
        if (logger is null)
        {
            return;
        }
        try
        {
            var level = (OrtLoggingLevel)severity switch
            {
                OrtLoggingLevel.Verbose => LogLevel.Trace,
                OrtLoggingLevel.Info => LogLevel.Debug,
                OrtLoggingLevel.Warning => LogLevel.Warning,
                OrtLoggingLevel.Error => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            if (Volatile.Read(ref _probing) > 0 && level < LogLevel.Critical)
            {
                level = LogLevel.Debug;
            }
            if (logger.IsEnabled(level))
            {
#pragma warning disable CA1848, CA2254 // ORT's text is the template; this path is not hot
                logger.Log(level, "[ORT {Location}] {Message}",
                    Marshal.PtrToStringUTF8((nint)codeLocation), Marshal.PtrToStringUTF8((nint)message));
#pragma warning restore CA1848, CA2254
            }
        }
#pragma warning disable CA1031 // an exception must not cross into ORT's thread
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }
}
