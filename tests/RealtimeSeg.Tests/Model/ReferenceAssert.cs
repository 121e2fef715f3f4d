using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Model;

/// <summary>Compares the runtime's instances with PyTorch's reference outputs for the same frame.</summary>
internal static class ReferenceAssert
{
    public const float BoxTolerancePx = 0.05f;
    public const float ScoreTolerance = 1e-3f;

    public static void Matches(ReferenceDetections reference, InstanceSet instances, string what, bool masks = true)
    {
        Assert.Equal(reference.Boxes.Count, instances.Count);
        for (int r = 0; r < reference.Boxes.Count; r++)
        {
            int i = Match(instances, reference.Box(r), reference.Labels[r]);
            BoxClose(reference.Box(r), instances.Boxes[i]);
            Assert.InRange(instances.Scores[i], reference.Scores[r] - ScoreTolerance, reference.Scores[r] + ScoreTolerance);
            if (!masks)
            {
                continue;
            }
            var expected = reference.Mask(r, instances.ImageWidth, instances.ImageHeight);
            float iou = MaskBitmap.Iou(expected, instances.Mask(i));
            Assert.True(iou >= 0.99f, $"{what} instance {r}: mask IoU {iou:0.0000} against PyTorch's paste");
            if (instances.MaskKind == MaskKind.Raw)
            {
                var raw = instances.RawMask(i);
                for (int k = 0; k < raw.Length; k++)
                {
                    Assert.True(Math.Abs(raw[k] - reference.RawMasks[r][k]) < 1e-3f, $"{what}: raw mask value {k}: {raw[k]} vs {reference.RawMasks[r][k]}");
                }
            }
        }
    }

    public static int Match(InstanceSet set, BoxF box, int label)
    {
        int best = -1;
        float bestIou = 0;
        for (int i = 0; i < set.Count; i++)
        {
            float iou = BoxF.Iou(box, set.Boxes[i]);
            if (set.ClassIds[i] == label && iou > bestIou)
            {
                best = i;
                bestIou = iou;
            }
        }
        Assert.True(best >= 0, $"no instance of class {label} overlaps reference box {box}");
        return best;
    }

    public static void BoxClose(BoxF expected, BoxF actual) =>
        Assert.True(Math.Abs(expected.X1 - actual.X1) <= BoxTolerancePx && Math.Abs(expected.Y1 - actual.Y1) <= BoxTolerancePx &&
                    Math.Abs(expected.X2 - actual.X2) <= BoxTolerancePx && Math.Abs(expected.Y2 - actual.Y2) <= BoxTolerancePx,
            $"box {actual} differs from PyTorch's {expected} by more than {BoxTolerancePx} px");
}
