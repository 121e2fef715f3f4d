using RealtimeSeg.Runtime.Onnx.Native;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>An error reported by ONNX Runtime, or a failure to find or load it. The message is ORT's own.</summary>
public sealed class OrtException : RealtimeSegException
{
    internal OrtException(string message, OrtErrorCode code = OrtErrorCode.Fail) : base(message) => Code = code;

    internal OrtErrorCode Code { get; }

    /// <summary>Set when ORT could not build a session from the model file (as opposed to loading the library or a provider).</summary>
    internal bool FromCreateSession { get; init; }
}
