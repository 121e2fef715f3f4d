using System.Diagnostics;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;

namespace RealtimeSeg.Runtime.Pipeline;

/// <summary>Inference failed on a frame; the pipeline stopped.</summary>
public sealed class PipelineException(string message, long frameId, Exception inner) : RealtimeSegException(message, inner)
{
    /// <summary>The id of the frame the model failed on.</summary>
    public long FrameId { get; } = frameId;
}

/// <summary>
/// Frames in, <see cref="SegmentationResult"/>s out, with inference slots working in turn: each slot has its own
/// input tensor, outputs and thread, so while one runs the model on frame N the next preprocesses frame N+1,
/// and postprocessing of N overlaps the run of N+1. Runs are serialised in frame order (concurrent runs on a
/// small CPU only split the same cores and add latency) and results are published in frame order.
/// <para>
/// Live mode: a free slot takes the newest frame; readers see the newest result (<see cref="TryGetLatest"/>,
/// or <see cref="Results"/>, newest wins). Lossless mode: every frame of the input, every result in order
/// through <see cref="Results"/> with back-pressure. A failure inside the model stops the pipeline and is
/// rethrown to readers as a <see cref="PipelineException"/> naming the frame.
/// </para>
/// </summary>
public sealed class InferencePipeline : IDisposable
{
    private static readonly TimeSpan InputPoll = TimeSpan.FromMilliseconds(50);
    private readonly SegmentationModel _model;
    private readonly IFrameReader _input;
    private readonly PipelineOptions _options;
    private readonly InferenceSlot[] _slots;
    private readonly Thread[] _workers;
    private readonly ResultPool _pool;
    private readonly PipelineMetrics _metrics;
    private readonly RunPacer? _pacer; // used under the take lock
    private readonly Tracking.InstanceTracker? _tracker; // used under the publish turn: results in capture order
    private readonly Turnstile _runTurn = new(), _publishTurn = new();
    private readonly object _takeLock = new(); // a plain monitor: the first contention on a System.Threading.Lock allocates
    private readonly object _latestLock = new(); // a plain monitor: the first contention on a System.Threading.Lock allocates
    private readonly LatestValue<SegmentationResult>? _liveResults;
    private readonly BoundedQueue<SegmentationResult>? _losslessResults;
    private SegmentationResult? _latest;
    private long _nextSequence;
    private int _running;
    private volatile bool _stopping;
    private readonly Func<bool> _giveUp; // made once: waiting at the model's gate allocates nothing
    private volatile Exception? _fault;
    private int _started;

    /// <summary>A pipeline over <paramref name="model"/> reading frames from <paramref name="input"/> (a capture loop's output or a <see cref="Frames.HostFrameInput"/>); call <see cref="Start"/>.</summary>
    public InferencePipeline(SegmentationModel model, IFrameReader input, PipelineOptions? options = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _giveUp = () => _stopping;
        _input = input ?? throw new ArgumentNullException(nameof(input));
        _options = options ?? new PipelineOptions();
        if (_options.Slots is < 0 or > 8)
        {
            throw new RealtimeSegException($"pipeline slots must be 1 to 8 (or 0 for the provider's default), got {_options.Slots}");
        }
        if (_options.MaxInferenceFps is { } maxFps && !(maxFps > 0 && maxFps <= 1000))
        {
            throw new RealtimeSegException($"inference rate cap {maxFps} is out of range; PipelineOptions.MaxInferenceFps must be above 0 and at most 1000 (or null for no cap)");
        }
        if (_options.Slots == 0)
        {
            _options = _options with { Slots = DefaultSlots(model) };
        }
        _pool = new ResultPool(model.Labels);
        _metrics = new PipelineMetrics(_options.MetricsWindow);
        _pacer = _options.MaxInferenceFps is { } rate ? new RunPacer(rate) : null;
        _tracker = _options.Tracking is { } tracking ? new Tracking.InstanceTracker(tracking) : null;
        if (_options.Lossless)
        {
            _losslessResults = new BoundedQueue<SegmentationResult>(_options.ResultQueueCapacity);
        }
        else
        {
            _liveResults = new LatestValue<SegmentationResult>();
        }
        _slots = new InferenceSlot[_options.Slots];
        _workers = new Thread[_options.Slots];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = model.CreateSlot();
            int index = i;
            _workers[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"RealtimeSeg inference {i}" };
        }
    }

    /// <summary>The options it runs with, slot count resolved.</summary>
    public PipelineOptions Options => _options;

    /// <summary>The execution provider running the model, as the CLI names it (cpu, cuda, …).</summary>
    public string ProviderName => Onnx.ExecutionProviders.CliName(_model.Session.Provider);

    /// <summary>The slot count <see cref="PipelineOptions.Slots"/> = 0 chooses: 1 on the CPU provider, 2 on GPU providers.</summary>
    public static int DefaultSlots(SegmentationModel model) => model.Session.Provider == Onnx.ExecutionProvider.Cpu ? 1 : 2;

    /// <summary>Every result in order (lossless), or the newest one (live). Each result taken must be disposed.</summary>
    public IReader<SegmentationResult> Results => (IReader<SegmentationResult>?)_losslessResults ?? _liveResults!;

    /// <summary>Sequence number of the newest published result, -1 before the first.</summary>
    public long LatestSequence { get; private set; } = -1;

    /// <summary>The failure that stopped the pipeline, if one did.</summary>
    public Exception? Fault => _fault;

    /// <summary>True once every worker has finished (input ended, stopped or failed).</summary>
    public bool IsCompleted => Volatile.Read(ref _started) == 1 && Volatile.Read(ref _running) == 0;

    /// <summary>Results created and not yet released by every holder (leak checks).</summary>
    public int OutstandingResults => _pool.Outstanding;

    /// <summary>What the pipeline has done so far (sorts its windows: read it once a second, not per frame).</summary>
    public PipelineStats Stats => _metrics.Snapshot(_input is LatestValue<Frame> live ? live.Dropped : 0);

    /// <summary>A reference to the newest result without waiting (the renderer's path); dispose it when done.</summary>
    public bool TryGetLatest([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SegmentationResult? result)
    {
        lock (_latestLock)
        {
            result = _latest?.Retain();
        }
        return result is not null;
    }

    /// <summary>Starts the worker threads; once.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("a pipeline starts once");
        }
        _running = _workers.Length;
        foreach (var worker in _workers)
        {
            worker.Start();
        }
    }

    /// <summary>Stops within a second wherever the workers are: waiting for input, in a turn, or inside a model run.</summary>
    public void Stop()
    {
        CancelWork();
        var deadline = Stopwatch.StartNew();
        foreach (var worker in _workers)
        {
            if (worker.IsAlive)
            {
                worker.Join(TimeSpan.FromMilliseconds(Math.Max(1, 1000 - deadline.ElapsedMilliseconds)));
            }
        }
        Complete();
    }

    private void Work(int index)
    {
        var slot = _slots[index];
        long sequence = -1;
        Frame? frame = null;
        SegmentationResult? result = null;
        long allocatedBefore = 0;
        try
        {
            while (!_stopping)
            {
                bool took;
                try
                {
                    took = TakeFrame(out frame, out sequence);
                }
                catch (Exception e) when (!_stopping)
                {
                    // The input's own fault (a source that cannot be read): passed on as it is, in the source's
                    // terms, not as an inference failure on a frame that never existed.
                    Fail(e);
                    break;
                }
                if (!took)
                {
                    break;
                }
                long taken = Stopwatch.GetTimestamp();
                if (sequence >= _options.WarmupFrames)
                {
                    allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                }

                slot.Preprocess(frame!);
                long preprocessed = Stopwatch.GetTimestamp();
                if (!_runTurn.Enter(sequence))
                {
                    break;
                }
                long runStart;
                try
                {
                    // The model's gate: streams sharing one model take turns at it (RunGate), one Run at a time.
                    if (!_model.RunGate.Enter(_giveUp))
                    {
                        break;
                    }
                    runStart = Stopwatch.GetTimestamp();
                    try
                    {
                        slot.Run();
                    }
                    finally
                    {
                        _model.RunGate.Leave();
                    }
                }
                finally
                {
                    _runTurn.Leave();
                }
                long ran = Stopwatch.GetTimestamp();

                result = _pool.Rent(frame!, sequence);
                frame = null; // the result holds it now
                slot.Postprocess(result.Instances, _options.Segment);
                long postprocessed = Stopwatch.GetTimestamp();
                result.Timings = new StageTimings(
                    Stopwatch.GetElapsedTime(result.Frame.Timestamp, taken).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(taken, preprocessed).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(runStart, ran).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(ran, postprocessed).TotalMilliseconds);

                if (!_publishTurn.Enter(sequence))
                {
                    break;
                }
                try
                {
                    Publish(result);
                    result = null;
                }
                finally
                {
                    _publishTurn.Leave();
                }
                if (sequence >= _options.WarmupFrames)
                {
                    _metrics.Allocated(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, slot.Outputs.LastRunManagedBytes);
                }
            }
        }
        catch (Exception e) when (!_stopping)
        {
            long id = frame?.Id ?? (result is not null ? result.Frame.Id : -1);
            var failure = new PipelineException($"inference failed on frame {id} (sequence {sequence}): {e.Message}", id, e);
            // Reported in frame order, like results: at this frame's publish turn, so a later frame failing first
            // on another slot can never hide an earlier frame's failure (the earlier one cancels the later's wait).
            if (_publishTurn.Enter(sequence))
            {
                try
                {
                    Fail(failure);
                }
                finally
                {
                    _publishTurn.Leave();
                }
            }
            else if (!_stopping)
            {
                Fail(failure);
            }
        }
        catch (Exception) when (_stopping)
        {
            // a run cut short by Stop: not a failure
        }
        finally
        {
            frame?.Dispose();
            result?.Dispose();
            if (Interlocked.Decrement(ref _running) == 0)
            {
                Complete();
            }
        }
    }

    /// <summary>Takes the next frame and its sequence number; false when the input ended or the pipeline stops.</summary>
    private bool TakeFrame(out Frame? frame, out long sequence)
    {
        lock (_takeLock)
        {
            if (_pacer is not null && !_pacer.WaitForTurn())
            {
                frame = null;
                sequence = -1;
                return false;
            }
            while (!_stopping)
            {
                var wait = _input.Wait(InputPoll, out frame);
                if (wait == WaitOutcome.Ended)
                {
                    break;
                }
                if (wait == WaitOutcome.Item)
                {
                    sequence = _nextSequence++;
                    long now = Stopwatch.GetTimestamp();
                    if (frame!.Timestamp == 0)
                    {
                        frame.Timestamp = now; // a host frame without a capture time: latency from when we took it
                    }
                    _metrics.FrameTaken(now);
                    _pacer?.Took(now);
                    return true;
                }
            }
        }
        frame = null;
        sequence = -1;
        return false;
    }

    private void Publish(SegmentationResult result)
    {
        long now = Stopwatch.GetTimestamp();
        result.PublishedTimestamp = now;
        if (_tracker is not null)
        {
            var instances = result.Instances;
            _tracker.Update(instances, (double)result.Frame.Timestamp / Stopwatch.Frequency, instances.WritableTrackIds(), instances.WritableVelocities());
        }
        _metrics.ResultPublished(result.Timings, result.Latency.TotalMilliseconds, now);
        SegmentationResult? previous;
        lock (_latestLock)
        {
            previous = _latest;
            _latest = result.Hold();
            LatestSequence = result.Sequence;
        }
        previous?.ReleaseHold();
        if (_losslessResults is not null)
        {
            _losslessResults.Add(result); // waits while a lossless reader is behind
        }
        else
        {
            _liveResults!.Publish(result);
        }
    }

    private void Fail(Exception fault)
    {
        _fault ??= fault;
        CancelWork();
    }

    /// <summary>Wakes every worker wherever it waits: turnstiles released, runs in flight terminated.</summary>
    private void CancelWork()
    {
        _stopping = true;
        _runTurn.Cancel();
        _publishTurn.Cancel();
        _pacer?.Cancel();
        foreach (var slot in _slots)
        {
            slot.Cancel();
        }
    }

    private void Complete()
    {
        _liveResults?.Complete(_fault);
        _losslessResults?.Complete(_fault);
        if (_stopping && _fault is null)
        {
            _losslessResults?.Close();
        }
    }

    /// <summary>Stops (within a second) and releases the slots; results still held stay valid.</summary>
    public void Dispose()
    {
        Stop();
        if (_workers.Any(w => w.IsAlive))
        {
            // A worker still inside a native run after the stop budget: it owns its slot until it returns.
            foreach (var worker in _workers)
            {
                worker.Join();
            }
        }
        _liveResults?.Clear();
        lock (_latestLock)
        {
            _latest?.ReleaseHold();
            _latest = null;
        }
        foreach (var slot in _slots)
        {
            slot.Dispose();
        }
        _pacer?.Dispose();
    }
}

/// <summary>Lets threads through one at a time in ticket order (0, 1, 2, …); cancellable.</summary>
internal sealed class Turnstile
{
    private readonly object _lock = new();
    private long _turn;
    private bool _cancelled;

    /// <summary>Waits for <paramref name="ticket"/>'s turn; false when cancelled, or when that turn has already passed.</summary>
    public bool Enter(long ticket)
    {
        lock (_lock)
        {
            while (_turn < ticket && !_cancelled)
            {
                Monitor.Wait(_lock);
            }
            return !_cancelled && _turn == ticket;
        }
    }

    public void Leave()
    {
        lock (_lock)
        {
            _turn++;
            Monitor.PulseAll(_lock);
        }
    }

    public void Cancel()
    {
        lock (_lock)
        {
            _cancelled = true;
            Monitor.PulseAll(_lock);
        }
    }
}
