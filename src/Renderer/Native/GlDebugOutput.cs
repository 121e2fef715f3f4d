using System.Runtime.InteropServices;
using Silk.NET.OpenGL;

namespace RealtimeSeg.Renderer.Native;

/// <summary>
/// Routes one context's KHR_debug messages (errors, undefined behaviour, performance warnings) to a callback, so a
/// misuse shows up with the driver's own explanation instead of a bare error code. Per context: nothing is shared.
/// </summary>
internal sealed class GlDebugOutput : IDisposable
{
    private readonly GL _gl;
    private readonly Action<string> _sink;
    private readonly DebugProc _callback; // held: the driver calls it until Dispose

    /// <param name="gl">The context's GL, current on this thread.</param>
    /// <param name="sink">Receives each message as one line, on the thread of the offending call.</param>
    /// <param name="verbose">Pass on low-severity messages and notifications too.</param>
    public GlDebugOutput(GL gl, Action<string> sink, bool verbose = false)
    {
        _gl = gl;
        _sink = sink;
        Verbose = verbose;
        _callback = OnMessage;
        Enabled = gl.IsExtensionPresent("GL_KHR_debug") || gl.GetInteger(GetPName.MajorVersion) * 10 + gl.GetInteger(GetPName.MinorVersion) >= 43;
        if (Enabled)
        {
            gl.Enable(EnableCap.DebugOutput);
            gl.Enable(EnableCap.DebugOutputSynchronous); // report on the calling thread, inside the offending call
            unsafe
            {
                gl.DebugMessageCallback(_callback, null);
            }
        }
    }

    /// <summary>False when the driver lacks KHR_debug.</summary>
    public bool Enabled { get; }

    public bool Verbose { get; set; }

    private void OnMessage(GLEnum source, GLEnum type, int id, GLEnum severity, int length, nint message, nint user)
    {
        if (!Verbose && severity is not (GLEnum.DebugSeverityHigh or GLEnum.DebugSeverityMedium))
        {
            return;
        }
        string text = Marshal.PtrToStringUTF8(message, Math.Max(0, length)) ?? "";
        string level = severity switch
        {
            GLEnum.DebugSeverityHigh => "high",
            GLEnum.DebugSeverityMedium => "medium",
            GLEnum.DebugSeverityLow => "low",
            _ => "note",
        };
        _sink($"GL ({level}): {text.TrimEnd()}");
    }

    public void Dispose()
    {
        if (Enabled)
        {
            unsafe
            {
                _gl.DebugMessageCallback(null, null);
            }
        }
    }
}
