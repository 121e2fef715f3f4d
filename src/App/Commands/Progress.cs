using System.Diagnostics;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// Progress of long work on stderr: a redrawn bar with rate and ETA on a terminal, a line per 10% when the
/// output goes to a log (so CI logs stay readable).
/// </summary>
internal sealed class Progress(string label, int total)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private int _lastDecile = -1;
    private long _lastDrawMs = -1000;

    public void Report(int done)
    {
        if (total <= 0)
        {
            return;
        }
        double seconds = _clock.Elapsed.TotalSeconds;
        double rate = done / Math.Max(seconds, 1e-6);
        double eta = (total - done) / Math.Max(rate, 1e-6);
        if (_terminal)
        {
            if (_clock.ElapsedMilliseconds - _lastDrawMs < 100 && done < total)
            {
                return;
            }
            _lastDrawMs = _clock.ElapsedMilliseconds;
            int filled = (int)(30.0 * done / total);
            Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', 30 - filled)}] {done}/{total}  {rate:0.0}/s  ETA {eta:0}s   ");
            if (done == total)
            {
                Console.Error.WriteLine();
            }
        }
        else
        {
            int decile = done * 10 / total;
            if (decile != _lastDecile)
            {
                _lastDecile = decile;
                Console.Error.WriteLine($"{label}: {done}/{total} ({done * 100 / total}%), {rate:0.0}/s, ETA {eta:0}s");
            }
        }
    }
}
