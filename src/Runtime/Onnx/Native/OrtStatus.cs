using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RealtimeSeg.Runtime.Onnx.Native;

/// <summary>Turns a returned <c>OrtStatus*</c> into an exception carrying ORT's own message, and releases it.</summary>
internal static unsafe class OrtStatus
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(nint status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != 0)
        {
            throw ToException(status, call);
        }
    }

    /// <summary>Reads and releases a non-null status. Returns ORT's message, for callers that recover from the error.</summary>
    public static string TakeMessage(nint status, out OrtErrorCode code)
    {
        code = OrtApi.GetErrorCode(status);
        string message = Marshal.PtrToStringUTF8((nint)OrtApi.GetErrorMessage(status)) ?? "(no message)";
        OrtApi.ReleaseStatus(status);
        return message;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static OrtException ToException(nint status, string call)
    {
        string message = TakeMessage(status, out var code);
        int paren = call.IndexOf('(', StringComparison.Ordinal);
        string function = paren > 0 ? call[..paren].Replace("OrtApi.", "", StringComparison.Ordinal) : call;
        return new OrtException($"{message} (ONNX Runtime {function}: {code})", code);
    }
}
