using System.Diagnostics;
using RealtimeSeg.Runtime.Imaging;

using RealtimeSeg.Runtime.Frames;

namespace RealtimeSeg.Capture.Loop;

/// <summary>
/// Runs a frame source on its own thread and hands frames to one consumer through a <see cref="LatestFrame"/>
/// (live) or a bounded <see cref="FrameQueue"/> (lossless). Frames come from <see cref="Pool"/> and go back when
/// their last holder releases them. A camera or stream that drops is reopened with exponential back-off (the
/// state says so meanwhile); a source that fails to open at all, or any other failure, ends the loop and the
/// reader gets the error. <see cref="Stop"/> returns within a second even while the source is blocked.
/// </summary>
public sealed class CaptureLoop : IDisposable
{
    private readonly IFrameSource _source;
    private readonly CaptureOptions _options;
    private readonly LatestFrame? _slot;
    private readonly FrameQueue? _queue;
    private readonly ManualResetEventSlim _stopping = new();
    private readonly Thread _thread;
    private volatile CaptureState _state = CaptureState.NotStarted;
    private volatile string? _message;
    private long _captured;
    private int _reconnects;
    private int _lastWidth, _lastHeight;
    private long _firstTicks, _lastTicks;
    private int _started;
    private bool _reopened;
    private long _allocated;

    /// <summary>A loop that will run <paramref name="source"/> on its own thread once started.</summary>
    public CaptureLoop(IFrameSource source, CaptureOptions? options = null, FramePool? pool = null)
    {
        _source = source;
        _options = options ?? CaptureOptions.Default;
        Pool = pool ?? new FramePool();
        Pacing = _options.Pacing ?? (source.IsLive ? Loop.Pacing.Live : Loop.Pacing.Lossless);
        if (Pacing == Loop.Pacing.Live)
        {
            _slot = new LatestFrame();
        }
        else
        {
            _queue = new FrameQueue(_options.QueueCapacity);
        }
        Display = _options.DisplayFrames > 0 ? new FrameTap(_options.DisplayFrames) : null;
        _thread = new Thread(Run) { IsBackground = true, Name = "RealtimeSeg capture" };
    }

    /// <summary>Newest-wins (live) or every frame in order (lossless).</summary>
    public Pacing Pacing { get; }

    /// <summary>Where the loop's frames come from and return to.</summary>
    public FramePool Pool { get; }

    /// <summary>Where the consumer takes frames; each frame taken must be disposed.</summary>
    public IFrameReader Frames => (IFrameReader?)_slot ?? _queue!;

    /// <summary>
    /// Every frame captured, for display (<see cref="CaptureOptions.DisplayFrames"/> &gt; 0), while the pipeline takes
    /// its own from <see cref="Frames"/>; null when not asked for.
    /// </summary>
    public FrameTap? Display { get; }

    /// <summary>A snapshot of the loop: state, frames, drops, reconnects, measured fps.</summary>
    public CaptureStatus Status
    {
        get
        {
            long captured = Interlocked.Read(ref _captured);
            long span = Interlocked.Read(ref _lastTicks) - Interlocked.Read(ref _firstTicks);
            double fps = captured > 1 && span > 0 ? (captured - 1) * (double)Stopwatch.Frequency / span : 0;
            return new CaptureStatus(_state, captured, _slot?.Dropped ?? 0, Volatile.Read(ref _reconnects), _source.Info,
                Volatile.Read(ref _lastWidth), Volatile.Read(ref _lastHeight), fps, _message, Interlocked.Read(ref _allocated));
        }
    }

    /// <summary>Opens the source on the capture thread and starts delivering.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("a capture loop starts once");
        }
        _state = CaptureState.Opening;
        _thread.Start();
    }

    /// <summary>Stops capture promptly: the source is interrupted, a producer blocked on back-pressure is released.</summary>
    public void Stop()
    {
        _stopping.Set();
        _source.Interrupt();
        _queue?.Close();
        if (_thread.IsAlive && !_thread.Join(TimeSpan.FromSeconds(1)))
        {
            _source.Interrupt(); // the source was between Open and Read when first interrupted
            _thread.Join(TimeSpan.FromSeconds(1));
        }
        _slot?.Complete();
        _slot?.Clear();
        Display?.Complete();
        if (_state is CaptureState.Opening or CaptureState.Running or CaptureState.Reconnecting or CaptureState.NotStarted)
        {
            _state = CaptureState.Stopped;
        }
    }

    private void Run()
    {
        Exception? fault = null;
        try
        {
            _source.Open();
            _state = CaptureState.Running;
            int failures = 0;
            while (!_stopping.IsSet)
            {
                Frame? frame;
                string? dropped = null;
                try
                {
                    frame = _source.Read(Pool);
                }
                catch (CaptureException e) when (_source.Spec.CanReconnect && Interlocked.Read(ref _captured) > 0 && !_stopping.IsSet)
                {
                    frame = null; // a reopened camera or stream that is still down: one more failed attempt
                    dropped = e.Message;
                }
                if (frame is null)
                {
                    if (_stopping.IsSet || !_source.Spec.CanReconnect)
                    {
                        _message = _source.EndReason;
                        break;
                    }
                    if (!Reconnect(ref failures, dropped ?? _source.EndReason ?? "the source ended"))
                    {
                        break;
                    }
                    continue;
                }
                failures = 0;
                if (_reopened)
                {
                    // Counted when frames flow again, not when an attempt starts: an attempt may still fail.
                    _reopened = false;
                    Interlocked.Increment(ref _reconnects);
                    _state = CaptureState.Running;
                    _message = null;
                }
                Deliver(frame);
            }
            if (!_stopping.IsSet && _state != CaptureState.Failed)
            {
                _state = CaptureState.Ended;
            }
        }
        catch (Exception e) when (e is CaptureException or IOException or InvalidOperationException)
        {
            if (!_stopping.IsSet)
            {
                fault = e;
                _message = e.Message;
                _state = CaptureState.Failed;
            }
        }
        finally
        {
            _slot?.Complete(fault);
            _queue?.Complete(fault);
            Display?.Complete();
        }
    }

    private void Deliver(Frame frame)
    {
        frame.Id = Interlocked.Increment(ref _captured) - 1;
        if (frame.Id == 0)
        {
            Interlocked.Exchange(ref _firstTicks, frame.Timestamp);
        }
        Interlocked.Exchange(ref _lastTicks, frame.Timestamp);
        Volatile.Write(ref _lastWidth, frame.Width);
        Interlocked.Exchange(ref _allocated, GC.GetAllocatedBytesForCurrentThread());
        Volatile.Write(ref _lastHeight, frame.Height);
        Display?.Publish(frame); // its own reference: the pipeline's hand-off may drop this frame
        if (_slot is not null)
        {
            _slot.Publish(frame);
        }
        else
        {
            _queue!.Add(frame);
        }
    }

    /// <summary>Reopens a dropped live source with doubling waits; false once attempts run out or on stop.</summary>
    private bool Reconnect(ref int failures, string why)
    {
        while (!_stopping.IsSet)
        {
            if (_options.ReconnectAttempts > 0 && failures >= _options.ReconnectAttempts)
            {
                throw new CaptureException($"'{_source.Spec}' dropped ({why}) and {failures} reconnection attempts failed; check the camera or stream and start again");
            }
            var delay = TimeSpan.FromTicks(Math.Min(_options.ReconnectMaxDelay.Ticks, _options.ReconnectDelay.Ticks << Math.Min(failures, 20)));
            _state = CaptureState.Reconnecting;
            _message = $"{why}; reconnecting in {delay.TotalSeconds:0.#} s (attempt {failures + 1})";
            if (_stopping.Wait(delay))
            {
                return false;
            }
            failures++;
            try
            {
                _source.Open();
                _reopened = true; // Running again once a frame arrives
                return true;
            }
            catch (CaptureException e)
            {
                why = e.Message;
            }
        }
        return false;
    }

    /// <summary>Stops the loop and its source.</summary>
    public void Dispose()
    {
        Stop();
        Display?.Clear();
        _source.Dispose();
        _stopping.Dispose();
    }
}
