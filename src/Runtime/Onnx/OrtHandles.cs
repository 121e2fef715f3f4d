namespace RealtimeSeg.Runtime.Onnx;

/// <summary>Counts the ONNX Runtime objects RealtimeSeg holds, so tests can assert every one is released.</summary>
internal static class OrtDiagnostics
{
    private static int _liveHandles;

    /// <summary>ORT objects created and not yet released (sessions, options, bindings, values, provider options).</summary>
    public static int LiveHandles => Volatile.Read(ref _liveHandles);

    internal static void Created() => Interlocked.Increment(ref _liveHandles);

    internal static void Released() => Interlocked.Decrement(ref _liveHandles);
}

/// <summary>
/// Creation and release of the managed API's disposable ORT objects, counted in <see cref="OrtDiagnostics"/>.
/// Every ORT object RealtimeSeg creates goes through <see cref="Track{T}"/> and leaves through <see cref="Release{T}"/>.
/// </summary>
internal static class OrtObject
{
    public static T Track<T>(T value) where T : IDisposable
    {
        OrtDiagnostics.Created();
        return value;
    }

    /// <summary>Disposes and forgets <paramref name="value"/>; a second call does nothing.</summary>
    public static void Release<T>(ref T? value) where T : class, IDisposable
    {
        var owned = Interlocked.Exchange(ref value, null);
        if (owned is not null)
        {
            owned.Dispose();
            OrtDiagnostics.Released();
        }
    }
}
