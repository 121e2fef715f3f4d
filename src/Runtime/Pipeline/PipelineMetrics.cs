using System.Diagnostics;

namespace RealtimeSeg.Runtime.Pipeline;

/// <summary>A snapshot of what the pipeline has done, for a HUD, a host or the benchmark.</summary>
public sealed record PipelineStats
{
    /// <summary>Frames taken from the input.</summary>
    public long FramesIn { get; init; }

    /// <summary>Results published.</summary>
    public long ResultsOut { get; init; }

    /// <summary>Frames the input dropped because the pipeline was busy (live mode).</summary>
    public long Dropped { get; init; }

    /// <summary>Frames taken per second.</summary>
    public double FpsIn { get; init; }

    /// <summary>Results published per second.</summary>
    public double FpsOut { get; init; }

    /// <summary>Mean milliseconds a frame waited between capture and a free slot.</summary>
    public double WaitMs { get; init; }

    /// <summary>Mean milliseconds of preprocessing.</summary>
    public double PreprocessMs { get; init; }

    /// <summary>Mean milliseconds inside the model's Run.</summary>
    public double RunMs { get; init; }

    /// <summary>Mean milliseconds of postprocessing.</summary>
    public double PostprocessMs { get; init; }

    /// <summary>Median capture-to-result milliseconds.</summary>
    public double LatencyP50Ms { get; init; }

    /// <summary>95th-percentile capture-to-result milliseconds.</summary>
    public double LatencyP95Ms { get; init; }

    /// <summary>99th-percentile capture-to-result milliseconds.</summary>
    public double LatencyP99Ms { get; init; }

    /// <summary>Time between consecutive results: the stutter a mean fps hides.</summary>
    public double FrameTimeP50Ms { get; init; }

    /// <summary>95th-percentile milliseconds between consecutive results.</summary>
    public double FrameTimeP95Ms { get; init; }

    /// <summary>99th-percentile milliseconds between consecutive results.</summary>
    public double FrameTimeP99Ms { get; init; }

    /// <summary>Managed bytes RealtimeSeg's own code on the pipeline threads allocated per frame after warm-up.</summary>
    public double AllocatedBytesPerFrame { get; init; }

    /// <summary>Managed bytes ONNX Runtime's managed API allocated per frame (its output wrappers), measured apart.</summary>
    public double OrtAllocatedBytesPerFrame { get; init; }

    /// <summary>Frames counted in <see cref="AllocatedBytesPerFrame"/>.</summary>
    public long AllocationFrames { get; init; }

    /// <summary>Generation-0 collections since the pipeline was made (the whole process's).</summary>
    public int Gen0Collections { get; init; }

    /// <summary>Generation-1 collections since the pipeline was made (the whole process's).</summary>
    public int Gen1Collections { get; init; }

    /// <summary>Generation-2 collections since the pipeline was made (the whole process's).</summary>
    public int Gen2Collections { get; init; }
}

/// <summary>
/// Accumulates per-frame measurements from the worker threads without allocating: sums for stage means, fixed
/// rings for percentiles. Snapshots (which sort a copy) are for a once-a-second reader, not per frame.
/// </summary>
internal sealed class PipelineMetrics
{
    private readonly object _lock = new(); // a plain monitor: the first contention on a System.Threading.Lock allocates
    private readonly double[] _latency;
    private readonly double[] _frameTime;
    private readonly int _gen0, _gen1, _gen2;
    private long _in, _out, _samples, _allocFrames, _allocBytes, _ortBytes;
    private long _firstIn, _lastIn, _firstOut, _lastOut;
    private double _wait, _pre, _run, _post;

    public PipelineMetrics(int window)
    {
        _latency = new double[window];
        _frameTime = new double[window];
        (_gen0, _gen1, _gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    }

    public void FrameTaken(long now)
    {
        lock (_lock)
        {
            if (_in++ == 0)
            {
                _firstIn = now;
            }
            _lastIn = now;
        }
    }

    public void ResultPublished(in StageTimings t, double latencyMs, long now)
    {
        lock (_lock)
        {
            if (_out > 0)
            {
                _frameTime[(_out - 1) % _frameTime.Length] = Stopwatch.GetElapsedTime(_lastOut, now).TotalMilliseconds;
            }
            else
            {
                _firstOut = now;
            }
            _lastOut = now;
            _latency[_out % _latency.Length] = latencyMs;
            _out++;
            _samples++;
            _wait += t.WaitMs;
            _pre += t.PreprocessMs;
            _run += t.RunMs;
            _post += t.PostprocessMs;
        }
    }

    /// <summary>One frame's managed allocations: all of the thread's, of which <paramref name="ortBytes"/> were ORT's.</summary>
    public void Allocated(long totalBytes, long ortBytes)
    {
        Interlocked.Add(ref _allocBytes, totalBytes - ortBytes);
        Interlocked.Add(ref _ortBytes, ortBytes);
        Interlocked.Increment(ref _allocFrames);
    }

    public PipelineStats Snapshot(long dropped)
    {
        lock (_lock)
        {
            long n = Math.Max(1, _samples);
            var (l50, l95, l99) = Percentiles(_latency, Math.Min(_out, _latency.Length));
            var (f50, f95, f99) = Percentiles(_frameTime, Math.Min(Math.Max(0, _out - 1), _frameTime.Length));
            long frames = Interlocked.Read(ref _allocFrames);
            return new PipelineStats
            {
                FramesIn = _in,
                ResultsOut = _out,
                Dropped = dropped,
                FpsIn = Rate(_in, _firstIn, _lastIn),
                FpsOut = Rate(_out, _firstOut, _lastOut),
                WaitMs = _wait / n,
                PreprocessMs = _pre / n,
                RunMs = _run / n,
                PostprocessMs = _post / n,
                LatencyP50Ms = l50,
                LatencyP95Ms = l95,
                LatencyP99Ms = l99,
                FrameTimeP50Ms = f50,
                FrameTimeP95Ms = f95,
                FrameTimeP99Ms = f99,
                AllocatedBytesPerFrame = frames == 0 ? 0 : (double)Interlocked.Read(ref _allocBytes) / frames,
                OrtAllocatedBytesPerFrame = frames == 0 ? 0 : (double)Interlocked.Read(ref _ortBytes) / frames,
                AllocationFrames = frames,
                Gen0Collections = GC.CollectionCount(0) - _gen0,
                Gen1Collections = GC.CollectionCount(1) - _gen1,
                Gen2Collections = GC.CollectionCount(2) - _gen2,
            };
        }
    }

    private static double Rate(long count, long first, long last) =>
        count > 1 && last > first ? (count - 1) / Stopwatch.GetElapsedTime(first, last).TotalSeconds : 0;

    private static (double, double, double) Percentiles(double[] ring, long count)
    {
        if (count == 0)
        {
            return (0, 0, 0);
        }
        var sorted = ring.AsSpan(0, (int)count).ToArray();
        Array.Sort(sorted);
        return (Percentile.NearestRank(sorted, 0.50), Percentile.NearestRank(sorted, 0.95), Percentile.NearestRank(sorted, 0.99));
    }
}
