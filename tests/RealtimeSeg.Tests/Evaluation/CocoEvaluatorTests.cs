using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Evaluation;

/// <summary>Hand-built cases whose COCO answers can be worked out on paper (pycocotools' rules).</summary>
public sealed class CocoEvaluatorTests
{
    private static readonly Dictionary<int, string> Categories = new() { [1] = "a", [2] = "b" };

    private static MaskBitmap Rect(int x0, int y0, int x1, int y1)
    {
        var m = new MaskBitmap();
        m.Reset(new PixelRect(x0, y0, x1, y1)).Fill(1);
        return m;
    }

    private static GroundTruthObject Gt(int image, int category, int x0, int y0, int x1, int y1, bool crowd = false) =>
        new(image, category, new BoxF(x0, y0, x1, y1), Rect(x0, y0, x1, y1), crowd);

    private static Detection Det(int image, int category, float score, int x0, int y0, int x1, int y1) =>
        new(image, category, score, new BoxF(x0, y0, x1, y1), Rect(x0, y0, x1, y1));

    private static CocoGroundTruth Truth(params GroundTruthObject[] objects) =>
        CocoGroundTruth.Create([new CocoImage(1, "1.png", 100, 100), new CocoImage(2, "2.png", 100, 100)], Categories, objects);

    [Fact]
    public void PerfectDetectionsScoreOne()
    {
        var truth = Truth(Gt(1, 1, 0, 0, 10, 10), Gt(1, 2, 20, 20, 40, 30), Gt(2, 1, 50, 50, 60, 70));
        var dets = truth.Objects.Select(o => new Detection(o.ImageId, o.CategoryId, 0.9f, o.Box, o.Mask)).ToList();
        foreach (var kind in new[] { IouKind.Mask, IouKind.Box })
        {
            var m = CocoEvaluator.Evaluate(truth, dets, kind);
            Assert.Equal(1.0, m.AP, 9);
            Assert.Equal(1.0, m.AP50, 9);
            Assert.Equal(1.0, m.AR100, 9);
        }
    }

    [Fact]
    public void NoDetectionsScoreZero() =>
        Assert.Equal(0, CocoEvaluator.Evaluate(Truth(Gt(1, 1, 0, 0, 10, 10)), [], IouKind.Mask).AP);

    [Fact]
    public void FindingHalfTheObjectsGivesPrecisionOneUpToRecallOneHalf()
    {
        var truth = Truth(Gt(1, 1, 0, 0, 10, 10), Gt(2, 1, 0, 0, 10, 10));
        var m = CocoEvaluator.Evaluate(truth, [Det(1, 1, 0.9f, 0, 0, 10, 10)], IouKind.Mask);
        Assert.Equal(51.0 / 101, m.AP, 9); // recall points 0.00..0.50 at precision 1, the rest 0
        Assert.Equal(0.5, m.AR100, 9);
    }

    [Fact]
    public void AFalsePositiveRankedFirstHalvesPrecision()
    {
        var truth = Truth(Gt(1, 1, 0, 0, 10, 10));
        var m = CocoEvaluator.Evaluate(truth, [Det(1, 1, 0.9f, 50, 50, 60, 60), Det(1, 1, 0.8f, 0, 0, 10, 10)], IouKind.Mask);
        Assert.Equal(0.5, m.AP, 9);
    }

    [Fact]
    public void AMatchCountsOnlyAtThresholdsItsIouReaches()
    {
        // Detection covers 10x10 of a 10x16 object: IoU 0.625 -> matched at t = 0.50, 0.55, 0.60 of the ten.
        var truth = Truth(Gt(1, 1, 0, 0, 10, 16));
        var m = CocoEvaluator.Evaluate(truth, [Det(1, 1, 0.9f, 0, 0, 10, 10)], IouKind.Mask);
        Assert.Equal(0.3, m.AP, 9);
        Assert.Equal(1.0, m.AP50, 9);
        Assert.Equal(0.0, m.AP75, 9);
    }

    [Fact]
    public void TheWrongClassIsNoMatchAndClassesAreAveraged()
    {
        var truth = Truth(Gt(1, 1, 0, 0, 10, 10), Gt(1, 2, 30, 30, 40, 40));
        var m = CocoEvaluator.Evaluate(truth, [Det(1, 1, 0.9f, 0, 0, 10, 10), Det(1, 1, 0.8f, 30, 30, 40, 40)], IouKind.Mask);
        Assert.Equal(1.0, m.PerCategoryAP[1], 9);
        Assert.Equal(0.0, m.PerCategoryAP[2], 9);
        Assert.Equal(0.5, m.AP, 9);
    }

    [Fact]
    public void DetectionsOnCrowdRegionsAreIgnoredNotFalsePositives()
    {
        var truth = Truth(Gt(1, 1, 0, 0, 10, 10), Gt(1, 1, 50, 50, 60, 60, crowd: true));
        var m = CocoEvaluator.Evaluate(truth, [Det(1, 1, 0.95f, 52, 52, 58, 58), Det(1, 1, 0.9f, 0, 0, 10, 10)], IouKind.Mask);
        Assert.Equal(1.0, m.AP, 9);
    }

    [Fact]
    public void OneDetectionCannotMatchTwoObjects()
    {
        var truth = Truth(Gt(1, 1, 0, 0, 10, 10), Gt(1, 1, 0, 0, 10, 10));
        var m = CocoEvaluator.Evaluate(truth, [Det(1, 1, 0.9f, 0, 0, 10, 10)], IouKind.Box);
        Assert.Equal(0.5, m.AR100, 9);
    }

    [Fact]
    public void MasksSharingRowsButNotColumnsDoNotOverlap()
    {
        // Found on real data: side-by-side masks once crashed the row-wise intersection.
        var truth = Truth(Gt(1, 1, 0, 0, 10, 10));
        var m = CocoEvaluator.Evaluate(truth, [Det(1, 1, 0.9f, 20, 2, 30, 8)], IouKind.Mask);
        Assert.Equal(0, m.AP);
    }
}
