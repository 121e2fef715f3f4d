using RealtimeSeg.Runtime;

namespace RealtimeSeg.Renderer;

/// <summary>A GL, EGL or GLFW failure, with the driver's own words (compiler logs included).</summary>
public sealed class RendererException : RealtimeSegException
{
    public RendererException(string message) : base(message) { }

    public RendererException(string message, Exception inner) : base(message, inner) { }
}
