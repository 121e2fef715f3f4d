using Microsoft.ML.OnnxRuntime;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>An error reported by ONNX Runtime, or a failure to find or load it. The message is ORT's own.</summary>
public sealed class OrtException : RealtimeSegException
{
    internal OrtException(string message) : base(message)
    {
    }

    internal OrtException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Set when ORT could not build a session from the model file (as opposed to loading the library or a provider).</summary>
    internal bool FromCreateSession { get; init; }

    /// <summary>ORT's message without the "[ErrorCode:Fail]" prefix the managed API puts before it.</summary>
    internal static string MessageOf(OnnxRuntimeException e)
    {
        string text = e.Message.Trim();
        if (text.StartsWith("[ErrorCode:", StringComparison.Ordinal) && text.IndexOf(']', StringComparison.Ordinal) is int end and > 0)
        {
            text = text[(end + 1)..].TrimStart();
        }
        return text;
    }

    internal static OrtException From(OnnxRuntimeException e) => new(MessageOf(e), e);
}
