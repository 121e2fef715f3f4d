using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Evaluation;

/// <summary>
/// How well the masks drawn on one frame cover that frame's ground truth: each ground-truth object is matched to
/// at most one drawn instance of its class (greedily, best mask IoU first) and scores that IoU; an object left
/// unmatched scores 0; the frame's score is the mean over its objects. Drawn masks are the instances moved
/// <c>motionSeconds</c> forward (<see cref="InstanceSet.PredictedMask"/>), exactly what live drawing shows.
/// Buffers are reused from frame to frame.
/// </summary>
public sealed class TruthAgreement
{
    private readonly List<MaskBitmap> _drawn = [];
    private readonly List<(float Iou, int Truth, int Drawn)> _pairs = [];
    private readonly MaskBitmap _truthMask = new();
    private bool[] _truthTaken = [], _drawnTaken = [];

    /// <summary>
    /// Mean IoU over <paramref name="truth"/>'s objects of at least <paramref name="minArea"/> pixels; null when the
    /// frame has none (nothing to score).
    /// </summary>
    public double? Score(InstanceSet truth, int minArea, InstanceSet drawn, double motionSeconds)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(drawn);
        while (_drawn.Count < drawn.Count)
        {
            _drawn.Add(new MaskBitmap());
        }
        bool hasMasks = drawn.MaskKind != MaskKind.None;
        for (int d = 0; d < drawn.Count && hasMasks; d++)
        {
            drawn.PredictedMask(d, motionSeconds, _drawn[d]);
        }
        _pairs.Clear();
        int objects = 0;
        if (_truthTaken.Length < truth.Count)
        {
            _truthTaken = new bool[truth.Count * 2];
        }
        if (_drawnTaken.Length < drawn.Count)
        {
            _drawnTaken = new bool[drawn.Count * 2];
        }
        for (int t = 0; t < truth.Count; t++)
        {
            var truthMask = truth.Mask(t, _truthMask);
            _truthTaken[t] = truthMask.PixelCount < minArea; // too small to count: neither scored nor matched
            if (_truthTaken[t])
            {
                continue;
            }
            objects++;
            for (int d = 0; d < drawn.Count && hasMasks; d++)
            {
                if (drawn.ClassIds[d] == truth.ClassIds[t])
                {
                    float iou = MaskBitmap.Iou(truthMask, _drawn[d]);
                    if (iou > 0)
                    {
                        _pairs.Add((iou, t, d));
                    }
                }
            }
        }
        if (objects == 0)
        {
            return null;
        }
        _pairs.Sort((a, b) => b.Iou.CompareTo(a.Iou));
        _drawnTaken.AsSpan(0, drawn.Count).Clear();
        double sum = 0;
        foreach (var (iou, t, d) in _pairs)
        {
            if (!_truthTaken[t] && !_drawnTaken[d])
            {
                (_truthTaken[t], _drawnTaken[d]) = (true, true);
                sum += iou;
            }
        }
        return sum / objects;
    }
}
