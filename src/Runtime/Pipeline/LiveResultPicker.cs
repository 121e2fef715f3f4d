namespace RealtimeSeg.Runtime.Pipeline;

/// <summary>
/// For display frames taken in capture order (a recorder, a benchmark), the result a live display showed when each
/// was captured: the newest one published before that frame's capture time. A reader that lags the camera a
/// little would otherwise draw masks computed after the frame, leading the picture. Holds its references (the
/// current result, and a newer one waiting for the frames to reach it); dispose to release them.
/// Use from one thread.
/// </summary>
public sealed class LiveResultPicker(InferencePipeline pipeline) : IDisposable
{
    private readonly InferencePipeline _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
    private SegmentationResult? _waiting;

    /// <summary>The result to draw on the frame last passed to <see cref="Advance"/>; null before the first.</summary>
    public SegmentationResult? Current { get; private set; }

    /// <summary>
    /// Moves to the frame captured at <paramref name="frameTimestamp"/> (Stopwatch ticks); true when
    /// <see cref="Current"/> changed to a newer result.
    /// </summary>
    public bool Advance(long frameTimestamp)
    {
        if (_pipeline.TryGetLatest(out var newest))
        {
            long known = _waiting?.Sequence ?? Current?.Sequence ?? -1;
            if (newest.Sequence > known)
            {
                _waiting?.Dispose();
                _waiting = newest;
            }
            else
            {
                newest.Dispose();
            }
        }
        if (_waiting is null || _waiting.PublishedTimestamp > frameTimestamp)
        {
            return false;
        }
        Current?.Dispose();
        (Current, _waiting) = (_waiting, null);
        return true;
    }

    /// <summary>Releases the held results.</summary>
    public void Dispose()
    {
        Current?.Dispose();
        _waiting?.Dispose();
        (Current, _waiting) = (null, null);
    }
}
