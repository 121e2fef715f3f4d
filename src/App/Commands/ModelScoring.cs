using System.Diagnostics;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.App.Commands;

/// <summary>COCO box and mask AP of one set of detections on a split; <see cref="Mask"/> is null for a detector without masks.</summary>
internal sealed record ModelScore(CocoMetrics Box, CocoMetrics? Mask, int Images, double Seconds)
{
    /// <summary>The figure a run is judged by: mask AP where there are masks, else box AP.</summary>
    public double Headline => (Mask ?? Box).AP;
}

/// <summary>
/// The one way RealtimeSeg scores a model: <c>evaluate</c> scores an ONNX model through the runtime, <c>train</c>
/// scores PyTorch's detections during training with the same evaluator, so the two numbers mean the same thing.
/// </summary>
internal static class ModelScoring
{
    /// <summary>Runs every image of <paramref name="truth"/> through the model (all detections kept, as COCO scoring wants).</summary>
    public static ModelScore Score(SegmentationModel model, CocoGroundTruth truth, Action<int>? progress = null)
    {
        using var slot = model.CreateSlot();
        var set = model.CreateInstanceSet();
        var detections = new List<Detection>();
        var keep = new SegmentOptions { MinScore = 0f, MaxInstances = 100 };
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < truth.Images.Count; i++)
        {
            var image = truth.Images[i];
            using var frame = Png.Read(truth.ImagePath(image));
            slot.Segment(frame, set, keep);
            for (int k = 0; k < set.Count; k++)
            {
                detections.Add(new Detection(image.Id, set.ClassIds[k], set.Scores[k], set.Boxes[k],
                    set.MaskKind == MaskKind.None ? null : set.Mask(k)));
            }
            progress?.Invoke(i + 1);
        }
        return Score(truth, detections, model.Layout.HasMasks, clock.Elapsed.TotalSeconds);
    }

    public static ModelScore Score(CocoGroundTruth truth, IReadOnlyList<Detection> detections, bool hasMasks, double seconds) =>
        new(CocoEvaluator.Evaluate(truth, detections, IouKind.Box),
            hasMasks ? CocoEvaluator.Evaluate(truth, detections, IouKind.Mask) : null, truth.Images.Count, seconds);
}
