using System.Runtime.InteropServices;
using RealtimeSeg.Runtime.Onnx.Native;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>Counts the ORT objects RealtimeSeg holds, so tests can assert every one is released.</summary>
public static class OrtDiagnostics
{
    private static int _liveHandles;

    /// <summary>ORT objects created and not yet released (env, sessions, options, values, run options, memory info).</summary>
    public static int LiveHandles => Volatile.Read(ref _liveHandles);

    internal static void Created() => Interlocked.Increment(ref _liveHandles);

    internal static void Released() => Interlocked.Decrement(ref _liveHandles);
}

internal enum OrtHandleKind { Env, Session, SessionOptions, RunOptions, MemoryInfo, Value }

/// <summary>An owned ORT object, released exactly once with the matching Release* function.</summary>
internal sealed class OrtHandle : SafeHandle
{
    private readonly OrtHandleKind _kind;

    public OrtHandle(nint handle, OrtHandleKind kind) : base(0, ownsHandle: true)
    {
        SetHandle(handle);
        _kind = kind;
        OrtDiagnostics.Created();
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        switch (_kind)
        {
            case OrtHandleKind.Env: OrtApi.ReleaseEnv(handle); break;
            case OrtHandleKind.Session: OrtApi.ReleaseSession(handle); break;
            case OrtHandleKind.SessionOptions: OrtApi.ReleaseSessionOptions(handle); break;
            case OrtHandleKind.RunOptions: OrtApi.ReleaseRunOptions(handle); break;
            case OrtHandleKind.MemoryInfo: OrtApi.ReleaseMemoryInfo(handle); break;
            case OrtHandleKind.Value: OrtApi.ReleaseValue(handle); break;
        }
        OrtDiagnostics.Released();
        return true;
    }
}
