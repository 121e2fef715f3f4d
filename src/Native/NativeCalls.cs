using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.Native;

/// <summary>The C ABI's status codes (include/realtimeseg.h, rts_status).</summary>
internal enum Status
{
    Ok = 0,
    InvalidArgument = 1,
    Model = 2,
    BufferTooSmall = 3,
    Unavailable = 4,
    Timeout = 5,
    Gl = 6,
    Stopped = 7,
    Internal = 8,
}

/// <summary>A failure an export reports with a specific status and a one-line message for the host.</summary>
internal sealed class NativeError(Status status, string message) : Exception(message)
{
    public Status Status { get; } = status;
}

/// <summary>
/// What every export shares: the calling thread's last error (the C ABI's contract: a message per thread, valid
/// until that thread's next failure), exceptions turned into status codes so none crosses the boundary, handles,
/// strings and the capture clock.
/// </summary>
internal static unsafe class NativeCalls
{
    // Per thread by the ABI's definition (rts_last_error); the only state outside the handles the host holds.
    [ThreadStatic] private static byte* t_error;
    [ThreadStatic] private static int t_errorCapacity;

    private static readonly byte* EmptyString = (byte*)NativeMemory.AllocZeroed(1); // "", never freed, never written

    /// <summary>The calling thread's last message, NUL-terminated UTF-8; "" when none.</summary>
    public static byte* LastError => t_error != null ? t_error : EmptyString;

    /// <summary>
    /// Records <paramref name="e"/> as the thread's error and returns its status: every export ends in
    /// <c>catch (Exception e) { return Fail(e); }</c> (no closure, so a call allocates nothing).
    /// </summary>
    public static int Fail(Exception e)
    {
        var (status, message) = e switch
        {
            NativeError n => (n.Status, n.Message),
            ArgumentException a => (Status.InvalidArgument, a.ParamName is { } p ? a.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : a.Message),
            PipelineException => (Status.Stopped, $"the session stopped: {e.Message}; destroy it and create a new one"),
            RendererException => (Status.Gl, e.Message),
            RealtimeSegException => (Status.Model, e.Message), // model loading and ONNX Runtime (ModelLoadException, OrtException)
            ObjectDisposedException d => (Status.InvalidArgument, $"the {Handle(d.ObjectName)} was already destroyed; a handle must not be used after rts_*_destroy or its last rts_result_release"),
            _ => (Status.Internal, $"internal error ({e.GetType().Name}: {e.Message}); please report it"),
        };
        SetError(NativeWording.ForC(message));
        return (int)status;
    }

    private static string Handle(string? type) => type switch
    {
        "SegmentationSession" or "InferencePipeline" or "HostFrameInput" => "session",
        "SegmentationResult" => "result",
        "OverlayRenderer" => "overlay",
        "SegmentationModel" or "OrtSession" => "model",
        _ => "object",
    };

    public static void SetError(string message)
    {
        // One line, whatever the message held: hosts print it as is.
        message = message.ReplaceLineEndings(" ");
        int bytes = Encoding.UTF8.GetByteCount(message) + 1;
        if (bytes > t_errorCapacity)
        {
            NativeMemory.Free(t_error);
            t_error = (byte*)NativeMemory.Alloc((nuint)bytes);
            t_errorCapacity = bytes;
        }
        int written = Encoding.UTF8.GetBytes(message, new Span<byte>(t_error, t_errorCapacity));
        t_error[written] = 0;
    }

    /// <summary>A handle the host holds: a GC handle's address (freed by the matching destroy or release).</summary>
    public static nint NewHandle(object target) => GCHandle.ToIntPtr(GCHandle.Alloc(target));

    /// <summary>The object behind a handle the host passed; NULL is an argument error naming the parameter.</summary>
    public static T FromHandle<T>(void* handle, string name) where T : class
    {
        if (handle == null)
        {
            throw new NativeError(Status.InvalidArgument, $"{name} is NULL");
        }
        return GCHandle.FromIntPtr((nint)handle).Target as T
            ?? throw new NativeError(Status.InvalidArgument, $"{name} is not {HandleNoun<T>()} handle (or was already destroyed)");
    }

    private static string HandleNoun<T>() => typeof(T).Name switch
    {
        nameof(NativeSession) => "an rts_session",
        nameof(NativeResult) => "an rts_result",
        nameof(NativeOverlay) => "an rts_overlay",
        nameof(NativeModel) => "an rts_model",
        var other => $"a {other}",
    };

    public static void FreeHandle(void* handle) => GCHandle.FromIntPtr((nint)handle).Free();

    public static void RequireOut(void* pointer, string name)
    {
        if (pointer == null)
        {
            throw new NativeError(Status.InvalidArgument, $"{name} is NULL; pass the address to write the result to");
        }
    }

    public static string? Utf8(byte* text) => text == null ? null : Marshal.PtrToStringUTF8((nint)text);

    /// <summary>A string into a fixed-size char array of a struct: UTF-8, truncated on a character boundary, NUL-terminated.</summary>
    public static void CopyUtf8(string text, Span<byte> into)
    {
        into.Clear();
        int length = Math.Min(text.Length, into.Length - 1);
        while (length > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > into.Length - 1)
        {
            length--;
        }
        Encoding.UTF8.GetBytes(text.AsSpan(0, length), into);
    }

    /// <summary>
    /// Checks a struct's declared size: smaller than ABI v1's is an error (an unset size reads 0); larger is a
    /// newer header, of which this library reads and writes its own part.
    /// </summary>
    public static int StructBytes(uint declared, int known, string name)
    {
        if (declared < known)
        {
            throw new NativeError(Status.InvalidArgument, $"{name}.struct_size is {declared}; set it to sizeof({name}) ({known} bytes in ABI {Exports.AbiVersion})");
        }
        return known;
    }

    /// <summary>
    /// The folder librealtimeseg was loaded from, where ONNX Runtime's library ships beside it. (A NativeAOT
    /// library's AppContext.BaseDirectory is the host executable's folder, which knows nothing of ours.)
    /// </summary>
    public static string LibraryFolder { get; } = FindLibraryFolder();

    private static string FindLibraryFolder()
    {
        if (!OperatingSystem.IsWindows())
        {
            DlInfo info;
            delegate* unmanaged<byte*> self = &Exports.GetLastError;
            if (dladdr(self, &info) != 0 && info.FileName != null && Marshal.PtrToStringUTF8((nint)info.FileName) is { Length: > 0 } file)
            {
                return Path.GetDirectoryName(Path.GetFullPath(file)) ?? AppContext.BaseDirectory;
            }
        }
        return AppContext.BaseDirectory; // Windows: the host's folder, where a plug-in's dlls usually sit
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public byte* FileName;
        public void* FileBase;
        public byte* SymbolName;
        public void* SymbolAddress;
    }

    [DllImport("libc", EntryPoint = "dladdr")]
    private static extern int dladdr(void* address, DlInfo* info);

    /// <summary>Nanoseconds on the host's monotonic clock to Stopwatch ticks (0: now).</summary>
    public static long TicksFromNs(long ns) =>
        ns == 0 ? Stopwatch.GetTimestamp() : (long)(ns * (Stopwatch.Frequency / 1e9));

    public static long NsFromTicks(long ticks) => (long)(ticks * (1e9 / Stopwatch.Frequency));
}
