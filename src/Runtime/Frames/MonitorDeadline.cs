namespace RealtimeSeg.Runtime.Frames;

/// <summary>
/// The timed wait every hand-off shares (LatestValue, BoundedQueue, FrameTap): a deadline fixed before the
/// wait loop, so wake-ups that find nothing (another reader took the item) do not restart the timeout.
/// Call with the monitor held.
/// </summary>
internal readonly struct MonitorDeadline(TimeSpan timeout)
{
    private readonly long _deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;

    /// <summary>Waits on <paramref name="gate"/> until pulsed or the deadline; false once the deadline has passed.</summary>
    public bool Wait(object gate)
    {
        long left = _deadline - Environment.TickCount64;
        return left > 0 && Monitor.Wait(gate, TimeSpan.FromMilliseconds(left));
    }
}
