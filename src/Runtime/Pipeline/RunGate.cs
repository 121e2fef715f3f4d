namespace RealtimeSeg.Runtime.Pipeline;

/// <summary>
/// One model's Runs across every pipeline (stream) that shares the model: at most <see cref="Capacity"/> at once,
/// admitted in the order they were asked for. Since each pipeline asks for one Run at a time (its own turnstile),
/// first come first served is round-robin over the streams that have a frame ready: a stream without frames never
/// holds a place, and a busy one cannot starve the others. A waiter that gives up (its pipeline stops) leaves its
/// place in the line.
/// </summary>
internal sealed class RunGate(int capacity)
{
    private readonly object _lock = new(); // a plain monitor: the first contention on a System.Threading.Lock allocates
    private readonly HashSet<long> _abandoned = [];
    private long _nextTicket, _nextAdmitted;
    private int _active;

    /// <summary>Runs that may be in flight at once.</summary>
    public int Capacity { get; } = capacity >= 1 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a gate admits at least one Run");

    /// <summary>Runs started through this gate (every stream's).</summary>
    public long Runs { get; private set; }

    /// <summary>Waits for this caller's turn; false when <paramref name="giveUp"/> turned true first (its place is passed on).</summary>
    public bool Enter(Func<bool> giveUp)
    {
        lock (_lock)
        {
            long ticket = _nextTicket++;
            while (ticket != _nextAdmitted || _active >= Capacity)
            {
                if (giveUp())
                {
                    _abandoned.Add(ticket);
                    SkipAbandoned();
                    Monitor.PulseAll(_lock);
                    return false;
                }
                Monitor.Wait(_lock, 50); // rechecks giveUp: a stopping pipeline leaves within its stop budget
            }
            _nextAdmitted++;
            SkipAbandoned();
            _active++;
            Runs++;
            Monitor.PulseAll(_lock); // the next ticket may fit too
            return true;
        }
    }

    /// <summary>Ends the caller's Run: the next ticket waiting gets its place.</summary>
    public void Leave()
    {
        lock (_lock)
        {
            _active--;
            Monitor.PulseAll(_lock);
        }
    }

    private void SkipAbandoned()
    {
        while (_abandoned.Remove(_nextAdmitted))
        {
            _nextAdmitted++;
        }
    }
}
