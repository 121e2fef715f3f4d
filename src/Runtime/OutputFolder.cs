namespace RealtimeSeg.Runtime;

/// <summary>Checks, before any output is produced, that a folder really accepts new files.</summary>
internal static class OutputFolder
{
    /// <summary>
    /// Creates and deletes a small probe file in <paramref name="dir"/>: permissions, read-only mounts and full
    /// quotas show up now as an <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>, not after
    /// minutes of work. Callers wrap the exception in their own message.
    /// </summary>
    public static void ProbeWritable(string dir)
    {
        string probe = Path.Combine(dir, $".realtimeseg-write-test-{Environment.ProcessId}");
        File.WriteAllBytes(probe, []);
        File.Delete(probe);
    }
}
