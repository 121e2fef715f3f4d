namespace RealtimeSeg.Runtime.Imaging;

/// <summary>
/// The thread-safe counter behind <see cref="Frame"/> and pipeline results: holders add and release
/// references; the release that takes it to zero is told so (and only that one), and adding to a count that
/// reached zero is refused, because the object behind it may already be back in its pool.
/// </summary>
internal static class ReferenceCount
{
    /// <summary>Adds a reference; false when the count had already reached zero.</summary>
    public static bool TryAdd(ref int count)
    {
        int now;
        do
        {
            now = Volatile.Read(ref count);
            if (now <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref count, now + 1, now) != now);
        return true;
    }

    /// <summary>Releases a reference; true for the release that took the count to zero. Releasing at zero does nothing.</summary>
    public static bool Release(ref int count)
    {
        int now;
        do
        {
            now = Volatile.Read(ref count);
            if (now <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref count, now - 1, now) != now);
        return now == 1;
    }
}
