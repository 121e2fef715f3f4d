namespace RealtimeSeg.Runtime;

/// <summary>Percentiles as the benchmarks and metrics report them.</summary>
internal static class Percentile
{
    /// <summary>Nearest-rank percentile of sorted samples: a reported p95 is a time some sample really took.</summary>
    public static double NearestRank(ReadOnlySpan<double> sorted, double p) =>
        sorted.IsEmpty ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
