using System.Runtime.InteropServices;

namespace RealtimeSeg.Renderer.Native;

/// <summary>
/// Routes the driver's KHR_debug messages (errors, undefined behaviour, performance warnings) to a logger, so a
/// misuse shows up with the driver's own explanation instead of a bare error code. Enabled on debug contexts.
/// </summary>
public static unsafe class GlDebugOutput
{
    /// <summary>Receives each message of medium or high severity (or all, with <see cref="Verbose"/>) as one line.</summary>
    public static event Action<string>? Message;

    public static bool Verbose { get; set; }

    /// <summary>Turns debug output on for the current context; false when the driver lacks it.</summary>
    public static bool Enable()
    {
        if (!Gl.HasDebugOutput)
        {
            return false;
        }
        Gl.Enable(GlConst.DebugOutput);
        Gl.Enable(GlConst.DebugOutputSynchronous); // report on the calling thread, inside the offending call
        Gl.DebugMessageCallback(&OnMessage, null);
        return true;
    }

    [UnmanagedCallersOnly]
    private static void OnMessage(uint source, uint type, uint id, uint severity, int length, byte* message, void* user)
    {
        if (!Verbose && severity is not (GlConst.DebugSeverityHigh or GlConst.DebugSeverityMedium))
        {
            return;
        }
        string text = Marshal.PtrToStringUTF8((nint)message, Math.Max(0, length)) ?? "";
        string level = severity switch
        {
            GlConst.DebugSeverityHigh => "high",
            GlConst.DebugSeverityMedium => "medium",
            GlConst.DebugSeverityLow => "low",
            _ => "note",
        };
        Message?.Invoke($"GL ({level}): {text.TrimEnd()}");
    }
}
