using System.Diagnostics;

namespace RealtimeSeg.Runtime.Pipeline;

/// <summary>
/// Spaces the pipeline's frame takes at least 1/rate apart (<see cref="PipelineOptions.MaxInferenceFps"/>).
/// The wait comes before a frame is taken, so in live mode the frame the model gets is the newest one at the
/// moment its turn comes, not one that aged through the wait. A take that comes late is not made up for by
/// a burst: the next turn is one interval after the late one.
/// </summary>
internal sealed class RunPacer : IDisposable
{
    private readonly long _intervalTicks;
    private readonly ManualResetEventSlim _cancelled = new();
    private long _nextTake;

    public RunPacer(double maxFps)
    {
        _intervalTicks = (long)(Stopwatch.Frequency / maxFps);
    }

    /// <summary>Waits until the next take is due; false when cancelled first. Called by one thread at a time.</summary>
    public bool WaitForTurn()
    {
        // A loop, because a timed wait may wake a little early (its timeout is whole milliseconds, truncated):
        // one early turn a take would make the spacing shorter than the cap promises.
        for (long now = Stopwatch.GetTimestamp(); _nextTake > now; now = Stopwatch.GetTimestamp())
        {
            var wait = Stopwatch.GetElapsedTime(now, _nextTake);
            if (_cancelled.Wait(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait))
            {
                return false;
            }
        }
        return !_cancelled.IsSet;
    }

    /// <summary>Records a take made now: the next is due one interval later.</summary>
    public void Took(long timestamp) => _nextTake = timestamp + _intervalTicks;

    /// <summary>Wakes a waiting <see cref="WaitForTurn"/>, which then returns false, and every later one.</summary>
    public void Cancel() => _cancelled.Set();

    public void Dispose() => _cancelled.Dispose();
}
