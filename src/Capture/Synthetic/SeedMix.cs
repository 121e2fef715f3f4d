namespace RealtimeSeg.Capture.Synthetic;

/// <summary>
/// Deterministic seed derivation (SplitMix64 finaliser). HashCode.Combine is randomised per process, so it must
/// never feed a seed: the same scene seed has to give the same pictures on every run and machine.
/// </summary>
internal static class SeedMix
{
    public static int Combine(int a, int b, int c = 0)
    {
        ulong z = (ulong)(uint)a * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)b * 0xBF58476D1CE4E5B9UL ^ (ulong)(uint)c * 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
