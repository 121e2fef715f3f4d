using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Evaluation;

internal sealed record Detection(int ImageId, int CategoryId, float Score, BoxF Box, MaskBitmap? Mask);

internal enum IouKind { Mask, Box }

/// <summary>COCO summary numbers for one IoU kind (area range "all", at most 100 detections per image and class).</summary>
internal sealed record CocoMetrics(double AP, double AP50, double AP75, double AR100, IReadOnlyDictionary<int, double> PerCategoryAP);

/// <summary>
/// COCO-style average precision, following pycocotools' evaluateImg/accumulate: per image and class,
/// detections by score greedily take the best still-unmatched ground truth at IoU ≥ t (crowd objects may be
/// matched repeatedly and make a match ignored); precision made monotone and sampled at 101 recall points;
/// averaged over classes with ground truth and over t = 0.50:0.05:0.95.
/// </summary>
internal static class CocoEvaluator
{
    private const int MaxDetections = 100;
    private static readonly double[] Thresholds = Enumerable.Range(0, 10).Select(i => 0.5 + 0.05 * i).ToArray();

    public static CocoMetrics Evaluate(CocoGroundTruth truth, IReadOnlyList<Detection> detections, IouKind kind)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(detections);
        var gtByKey = truth.Objects.GroupBy(o => (o.ImageId, o.CategoryId)).ToDictionary(g => g.Key, g => g.ToList());
        var dtByKey = detections.GroupBy(d => (d.ImageId, d.CategoryId)).ToDictionary(g => g.Key, g => g.ToList());
        var categories = truth.Categories.Keys.Order().ToArray();

        // Per class and threshold: every evaluated detection (score, matched, ignored) and the count of real objects.
        var perCategory = new Dictionary<int, (List<(float Score, bool[] Matched, bool[] Ignored)> Dets, int Objects)>();
        foreach (int c in categories)
        {
            perCategory[c] = ([], 0);
        }
        foreach (var image in truth.Images)
        {
            foreach (int c in categories)
            {
                var gts = gtByKey.GetValueOrDefault((image.Id, c)) ?? [];
                var dts = (dtByKey.GetValueOrDefault((image.Id, c)) ?? []).OrderByDescending(d => d.Score).Take(MaxDetections).ToList();
                // Real objects first, crowd (ignored) last, as pycocotools orders them.
                gts = [.. gts.OrderBy(g => g.IsCrowd)];
                var entry = perCategory[c];
                perCategory[c] = (entry.Dets, entry.Objects + gts.Count(g => !g.IsCrowd));
                if (dts.Count == 0)
                {
                    continue;
                }
                var ious = new double[dts.Count, gts.Count];
                for (int d = 0; d < dts.Count; d++)
                {
                    for (int g = 0; g < gts.Count; g++)
                    {
                        ious[d, g] = Iou(dts[d], gts[g], kind);
                    }
                }
                var results = dts.Select(d => (d.Score, Matched: new bool[Thresholds.Length], Ignored: new bool[Thresholds.Length])).ToList();
                for (int t = 0; t < Thresholds.Length; t++)
                {
                    var gtMatched = new bool[gts.Count];
                    for (int d = 0; d < dts.Count; d++)
                    {
                        double best = Math.Min(Thresholds[t], 1 - 1e-10);
                        int m = -1;
                        for (int g = 0; g < gts.Count; g++)
                        {
                            if (gtMatched[g] && !gts[g].IsCrowd)
                            {
                                continue;
                            }
                            if (m > -1 && !gts[m].IsCrowd && gts[g].IsCrowd)
                            {
                                break;
                            }
                            if (ious[d, g] < best)
                            {
                                continue;
                            }
                            best = ious[d, g];
                            m = g;
                        }
                        if (m == -1)
                        {
                            continue;
                        }
                        gtMatched[m] = true;
                        results[d].Matched[t] = true;
                        results[d].Ignored[t] = gts[m].IsCrowd;
                    }
                }
                entry.Dets.AddRange(results);
            }
        }

        var ap = new double[categories.Length, Thresholds.Length];
        var recall = new double[categories.Length, Thresholds.Length];
        var perCategoryAp = new Dictionary<int, double>();
        for (int ci = 0; ci < categories.Length; ci++)
        {
            var (dets, objects) = perCategory[categories[ci]];
            var sorted = dets.Select((d, i) => (d, i)).OrderByDescending(x => x.d.Score).ThenBy(x => x.i).Select(x => x.d).ToList();
            for (int t = 0; t < Thresholds.Length; t++)
            {
                if (objects == 0)
                {
                    ap[ci, t] = recall[ci, t] = -1;
                    continue;
                }
                var precision = new List<double>();
                var recalls = new List<double>();
                int tp = 0, fp = 0;
                foreach (var d in sorted)
                {
                    if (d.Ignored[t])
                    {
                        continue;
                    }
                    if (d.Matched[t]) { tp++; } else { fp++; }
                    recalls.Add((double)tp / objects);
                    precision.Add((double)tp / (tp + fp));
                }
                for (int i = precision.Count - 1; i > 0; i--)
                {
                    precision[i - 1] = Math.Max(precision[i - 1], precision[i]);
                }
                double sum = 0;
                for (int k = 0; k <= 100; k++)
                {
                    double r = k / 100.0;
                    int idx = recalls.FindIndex(x => x >= r);
                    sum += idx >= 0 ? precision[idx] : 0;
                }
                ap[ci, t] = sum / 101;
                recall[ci, t] = recalls.Count > 0 ? recalls[^1] : 0;
            }
            if (objects > 0)
            {
                perCategoryAp[categories[ci]] = Enumerable.Range(0, Thresholds.Length).Average(t => ap[ci, t]);
            }
        }
        return new CocoMetrics(Mean(ap, null), Mean(ap, 0), Mean(ap, 5), Mean(recall, null), perCategoryAp);
    }

    private static double Mean(double[,] values, int? threshold)
    {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < values.GetLength(0); c++)
        {
            for (int t = 0; t < values.GetLength(1); t++)
            {
                if ((threshold is null || threshold == t) && values[c, t] >= 0)
                {
                    sum += values[c, t];
                    n++;
                }
            }
        }
        return n == 0 ? -1 : sum / n;
    }

    /// <summary>IoU; against a crowd object, intersection over the detection's own area (COCO's rule).</summary>
    private static double Iou(Detection d, GroundTruthObject g, IouKind kind)
    {
        if (kind == IouKind.Box)
        {
            float iw = Math.Min(d.Box.X2, g.Box.X2) - Math.Max(d.Box.X1, g.Box.X1);
            float ih = Math.Min(d.Box.Y2, g.Box.Y2) - Math.Max(d.Box.Y1, g.Box.Y1);
            if (iw <= 0 || ih <= 0)
            {
                return 0;
            }
            double inter = (double)iw * ih;
            return g.IsCrowd ? inter / d.Box.Area : inter / (d.Box.Area + g.Box.Area - inter);
        }
        var dm = d.Mask ?? throw new ArgumentException("mask evaluation needs detection masks");
        int x0 = Math.Max(dm.Bounds.X0, g.Mask.Bounds.X0), x1 = Math.Min(dm.Bounds.X1, g.Mask.Bounds.X1);
        int y0 = Math.Max(dm.Bounds.Y0, g.Mask.Bounds.Y0), y1 = Math.Min(dm.Bounds.Y1, g.Mask.Bounds.Y1);
        long intersection = 0;
        for (int y = y0; x1 > x0 && y < y1; y++)
        {
            var a = dm.Row(y).Slice(x0 - dm.Bounds.X0, x1 - x0);
            var b = g.Mask.Row(y).Slice(x0 - g.Mask.Bounds.X0, x1 - x0);
            for (int i = 0; i < a.Length; i++)
            {
                intersection += a[i] & b[i];
            }
        }
        long dArea = dm.PixelCount, gArea = g.Mask.PixelCount;
        if (intersection == 0)
        {
            return 0;
        }
        return g.IsCrowd ? (double)intersection / dArea : (double)intersection / (dArea + gArea - intersection);
    }
}
