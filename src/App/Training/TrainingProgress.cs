using System.Globalization;
using System.Text;

namespace RealtimeSeg.App.Training;

/// <summary>
/// The training progress on stderr: on a terminal one redrawn bar (iteration, epoch, loss and its parts, learning
/// rate, images/s, ETA); in a log a line every 5% or 30 s, so CI logs stay readable. Messages (validations,
/// notices) print on their own line above the bar.
/// </summary>
internal sealed class TrainingProgress
{
    private static readonly Dictionary<string, string> Short = new()
    {
        ["loss_classifier"] = "cls", ["loss_box_reg"] = "box", ["loss_mask"] = "mask", ["loss_objectness"] = "obj", ["loss_rpn_box_reg"] = "rpn",
    };

    private readonly bool _terminal = !Console.IsErrorRedirected;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private int _total, _epochIterations, _lastLogged = -1;
    private double _lastLogSeconds, _secondsPerIteration, _imagesPerSecond;
    private bool _barShown;

    public void Start(int startIteration, int total, int epochIterations)
    {
        _total = total;
        _epochIterations = Math.Max(1, epochIterations);
        _lastLogged = startIteration;
    }

    public void Iteration(LossRow row, double seconds)
    {
        // Exponential averages: the ETA and rate follow the current speed without jumping at every step.
        _secondsPerIteration = _secondsPerIteration == 0 ? seconds : 0.9 * _secondsPerIteration + 0.1 * seconds;
        _imagesPerSecond = _imagesPerSecond == 0 ? row.ImagesPerSecond : 0.9 * _imagesPerSecond + 0.1 * row.ImagesPerSecond;
        string line = Describe(row);
        if (_terminal)
        {
            Console.Error.Write("\r" + line + "\u001b[K");
            _barShown = true;
            return;
        }
        double now = _clock.Elapsed.TotalSeconds;
        if (row.Iteration - _lastLogged >= Math.Max(1, _total / 20) || now - _lastLogSeconds >= 30 || row.Iteration == _total)
        {
            Console.Error.WriteLine(line);
            _lastLogged = row.Iteration;
            _lastLogSeconds = now;
        }
    }

    /// <summary>A line of its own (a validation's result, a notice), above the bar.</summary>
    public void Message(string text)
    {
        if (_barShown)
        {
            Console.Error.Write("\r\u001b[K");
        }
        Console.Error.WriteLine(text);
    }

    public void End()
    {
        if (_barShown)
        {
            Console.Error.WriteLine();
            _barShown = false;
        }
    }

    private string Describe(LossRow row)
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        if (_terminal)
        {
            int filled = (int)(20.0 * row.Iteration / Math.Max(1, _total));
            s.Append('[').Append('#', filled).Append('.', 20 - filled).Append("] ");
        }
        int epochs = (_total + _epochIterations - 1) / _epochIterations;
        int epoch = Math.Min(epochs, (row.Iteration - 1) / _epochIterations + 1);
        s.Append(inv, $"iter {row.Iteration}/{_total} epoch {epoch}/{epochs} loss {row.Loss:0.000} (");
        s.AppendJoin(' ', row.Parts.Select(p => string.Create(inv, $"{Short.GetValueOrDefault(p.Key, p.Key)} {p.Value:0.000}")));
        double eta = (_total - row.Iteration) * _secondsPerIteration;
        s.Append(inv, $") lr {row.Lr:0.#####} {_imagesPerSecond:0.0} img/s ETA {FormatDuration(eta)}");
        return s.ToString();
    }

    public static string FormatDuration(double seconds) => seconds switch
    {
        < 60 => $"{seconds:0}s",
        < 3600 => $"{(int)(seconds / 60)}m{(int)(seconds % 60):00}s",
        _ => $"{(int)(seconds / 3600)}h{(int)(seconds % 3600 / 60):00}m",
    };
}
