using RealtimeSeg.Runtime;

namespace RealtimeSeg.Renderer;

/// <summary>A GL, EGL or GLFW failure, with the driver's own words (compiler logs included).</summary>
public sealed class RendererException : RealtimeSegException
{
    /// <summary>A renderer failure, naming the call and, where known, the fix.</summary>
    public RendererException(string message) : base(message) { }

    /// <summary>A renderer failure with its cause.</summary>
    public RendererException(string message, Exception inner) : base(message, inner) { }
}
