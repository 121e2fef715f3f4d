using System.Globalization;
using System.Text.Json;

namespace RealtimeSeg.App.Training;

/// <summary>One iteration's losses as the trainer reported them.</summary>
internal sealed record LossRow(int Iteration, double Lr, double Loss, IReadOnlyDictionary<string, double> Parts, double ImagesPerSecond);

/// <summary>One validation: PyTorch's detections on the val split, scored by RealtimeSeg's COCO evaluator.</summary>
internal sealed record EvalRow(int Iteration, double MaskAP, double MaskAP50, double BoxAP, double BoxAP50, bool Best);

/// <summary>
/// DIR/training/: the loss of every iteration (loss.csv) and every validation (evals.jsonl), kept across
/// resumes (rows past the resumed iteration are dropped: they belong to steps that will be taken again).
/// </summary>
internal sealed class TrainingHistory
{
    private readonly string _lossPath, _evalPath;
    private readonly List<LossRow> _losses = [];
    private readonly List<EvalRow> _evals = [];
    private string[] _parts = [];

    public TrainingHistory(string folder)
    {
        Directory.CreateDirectory(folder);
        Folder = folder;
        _lossPath = Path.Combine(folder, "loss.csv");
        _evalPath = Path.Combine(folder, "evals.jsonl");
    }

    public string Folder { get; }

    public IReadOnlyList<LossRow> Losses => _losses;

    public IReadOnlyList<EvalRow> Evals => _evals;

    public EvalRow? BestEval => _evals.LastOrDefault(e => e.Best);

    /// <summary>Loads what an earlier run wrote, up to <paramref name="iteration"/> (where the trainer resumes).</summary>
    public void LoadUpTo(int iteration)
    {
        _losses.Clear();
        _evals.Clear();
        if (File.Exists(_lossPath))
        {
            var lines = File.ReadAllLines(_lossPath);
            if (lines.Length > 0)
            {
                _parts = lines[0].Split(',')[3..^1];
                foreach (string line in lines.Skip(1))
                {
                    var f = line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                    if ((int)f[0] <= iteration)
                    {
                        _losses.Add(new LossRow((int)f[0], f[1], f[2], _parts.Select((p, i) => (p, f[3 + i])).ToDictionary(x => x.p, x => x.Item2), f[^1]));
                    }
                }
            }
        }
        if (File.Exists(_evalPath))
        {
            foreach (string line in File.ReadAllLines(_evalPath).Where(l => l.Length > 0))
            {
                var e = JsonSerializer.Deserialize<EvalRow>(line)!;
                if (e.Iteration <= iteration)
                {
                    _evals.Add(e);
                }
            }
        }
        RewriteLosses();
        File.WriteAllLines(_evalPath, _evals.Select(e => JsonSerializer.Serialize(e)));
    }

    public void AddLoss(LossRow row)
    {
        if (_parts.Length == 0)
        {
            _parts = [.. row.Parts.Keys];
            RewriteLosses();
        }
        _losses.Add(row);
        File.AppendAllText(_lossPath, Csv(row) + "\n");
    }

    /// <summary>Records a validation; true when it is the best so far (the checkpoint to keep).</summary>
    public bool AddEval(int iteration, double maskAP, double maskAP50, double boxAP, double boxAP50)
    {
        bool best = _evals.Count == 0 || maskAP > _evals.Where(e => e.Best).Select(e => e.MaskAP).DefaultIfEmpty(-1).Max();
        var row = new EvalRow(iteration, maskAP, maskAP50, boxAP, boxAP50, best);
        _evals.Add(row);
        File.AppendAllText(_evalPath, JsonSerializer.Serialize(row) + "\n");
        return best;
    }

    private void RewriteLosses()
    {
        if (_parts.Length == 0)
        {
            File.WriteAllText(_lossPath, "");
            return;
        }
        File.WriteAllLines(_lossPath, new[] { $"iteration,lr,loss,{string.Join(',', _parts)},imagesPerSecond" }.Concat(_losses.Select(Csv)));
    }

    private string Csv(LossRow r) => string.Join(',', new[] { r.Iteration, r.Lr, r.Loss }.Concat(_parts.Select(p => r.Parts.GetValueOrDefault(p)))
        .Append(r.ImagesPerSecond).Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
}
