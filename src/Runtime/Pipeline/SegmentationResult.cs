using System.Diagnostics;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Pipeline;

/// <summary>Milliseconds one frame spent in each pipeline stage.</summary>
/// <param name="WaitMs">From the frame's capture to the start of its preprocessing (queueing and slot wait).</param>
/// <param name="PreprocessMs">Resize, channel order and normalisation into the slot's input tensor.</param>
/// <param name="RunMs">The model's Run.</param>
/// <param name="PostprocessMs">Outputs to instances in frame pixels (filters, box mapping, masks).</param>
public readonly record struct StageTimings(double WaitMs, double PreprocessMs, double RunMs, double PostprocessMs);

/// <summary>
/// One frame's instances, always together with the frame they were computed from, so nothing is ever drawn
/// on the wrong frame. Reference-counted like <see cref="Imaging.Frame"/>: a reader that keeps a result past
/// the call that handed it over takes <see cref="Retain"/> and disposes it; the last release returns the
/// frame to its pool and the result to the pipeline's. The pipeline's own reference (its newest result) is kept
/// apart from readers' references: a reader's Dispose once too many is ignored, never taking the pipeline's.
/// </summary>
public sealed class SegmentationResult : IDisposable
{
    private readonly ResultPool? _pool;
    private Frame? _frame;
    // Readers' references (low 32 bits) and the pipeline's holds (high 32 bits) in one word, so that the last of
    // either, on whichever thread, returns the result exactly once.
    private long _counts;
    private const long OneHold = 1L << 32;

    internal SegmentationResult(ResultPool? pool, LabelMap labels)
    {
        _pool = pool;
        Instances = new InstanceSet(labels);
    }

    private SegmentationResult(InstanceSet instances)
    {
        Instances = instances;
    }

    /// <summary>
    /// A result made outside a pipeline (a host's own detections, tests): takes a reference to
    /// <paramref name="frame"/> and a copy of <paramref name="instances"/>.
    /// </summary>
    public static SegmentationResult Create(Frame frame, InstanceSet instances, long sequence = 0)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(instances);
        var result = new SegmentationResult(instances.Where(_ => true));
        result.Begin(frame.Retain(), sequence);
        result.PublishedTimestamp = Stopwatch.GetTimestamp();
        return result;
    }

    /// <summary>The frame the instances belong to.</summary>
    public Frame Frame => _frame ?? throw new ObjectDisposedException(nameof(SegmentationResult));

    /// <summary>The frame's detections, read-only to readers.</summary>
    public InstanceSet Instances { get; }

    /// <summary>0, 1, 2, … in the order frames entered the pipeline; strictly increasing in publication order.</summary>
    public long Sequence { get; private set; }

    /// <summary>How long each stage took for this frame.</summary>
    public StageTimings Timings { get; internal set; }

    /// <summary>When the result was published, in <see cref="Stopwatch"/> ticks.</summary>
    public long PublishedTimestamp { get; internal set; }

    /// <summary>Capture to publication.</summary>
    public TimeSpan Latency => Stopwatch.GetElapsedTime(Frame.Timestamp, PublishedTimestamp);

    /// <summary>Live references, readers' and the pipeline's; the result returns to its pool at 0.</summary>
    public int References
    {
        get
        {
            long counts = Volatile.Read(ref _counts);
            return (int)(counts & uint.MaxValue) + (int)(counts >> 32);
        }
    }

    internal void Begin(Frame frame, long sequence)
    {
        _frame = frame;
        Sequence = sequence;
        Timings = default;
        PublishedTimestamp = 0;
        Volatile.Write(ref _counts, 1);
    }

    /// <summary>Takes another reference (to keep the result past the call that handed it over); each needs its own Dispose.</summary>
    public SegmentationResult Retain() => TryAdd(1) ? this
        : throw new ObjectDisposedException(nameof(SegmentationResult), "cannot retain a result that was already released");

    /// <summary>
    /// Gives back one reader's reference; the last reference returns the result (and its frame) to their pools. A
    /// call with no reader's reference left does nothing: the pipeline's own reference is not the reader's to give.
    /// </summary>
    public void Dispose() => Release(1);

    /// <summary>The pipeline's own reference (its newest result), apart from readers'.</summary>
    internal SegmentationResult Hold() => TryAdd(OneHold) ? this
        : throw new ObjectDisposedException(nameof(SegmentationResult), "cannot hold a result that was already released");

    internal void ReleaseHold() => Release(OneHold);

    private bool TryAdd(long one)
    {
        long now;
        do
        {
            now = Volatile.Read(ref _counts);
            if (now == 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _counts, now + one, now) != now);
        return true;
    }

    private void Release(long one)
    {
        long now;
        do
        {
            now = Volatile.Read(ref _counts);
            long mine = one == OneHold ? now >> 32 : now & uint.MaxValue;
            if (mine == 0)
            {
                return; // released once too many: ignored
            }
        }
        while (Interlocked.CompareExchange(ref _counts, now - one, now) != now);
        if (now == one)
        {
            Interlocked.Exchange(ref _frame, null)?.Dispose();
            _pool?.Return(this);
        }
    }
}

/// <summary>Recycles results (and their instance arrays) so publishing allocates nothing in steady state.</summary>
internal sealed class ResultPool(LabelMap labels)
{
    private readonly Stack<SegmentationResult> _idle = new(32); // sized so releases never grow it mid-stream
    private readonly object _lock = new(); // a plain monitor: the first contention on a System.Threading.Lock allocates
    private int _outstanding;

    public int Outstanding => Volatile.Read(ref _outstanding);

    public SegmentationResult Rent(Frame frame, long sequence)
    {
        SegmentationResult? result;
        lock (_lock)
        {
            _idle.TryPop(out result);
        }
        result ??= new SegmentationResult(this, labels);
        Interlocked.Increment(ref _outstanding);
        result.Begin(frame, sequence);
        return result;
    }

    public void Return(SegmentationResult result)
    {
        Interlocked.Decrement(ref _outstanding);
        lock (_lock)
        {
            _idle.Push(result);
        }
    }
}
