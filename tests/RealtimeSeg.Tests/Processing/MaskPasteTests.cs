using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Processing;

/// <summary>
/// Hand-checkable cases of torchvision's paste rule (the PyTorch comparison on real masks is in
/// ReferenceOutputTests).
/// </summary>
public sealed class MaskPasteTests
{
    private static float[] Filled(float value) => Enumerable.Repeat(value, 28 * 28).ToArray();

    [Fact]
    public void ExpandedBoxGrowsByOneMaskCellEachSideAndTruncatesTowardZero()
    {
        // 28 px box centred on (24,34): half-size 14 grows by 30/28 to 15, so 9..39 and 19..49 (inclusive).
        Assert.Equal((9, 19, 39, 49), MaskPaste.ExpandedBox(new BoxF(10, 20, 38, 48), 28));
        // Negative coordinates truncate toward zero as torch's int64 cast does (-0.5 -> 0).
        Assert.Equal(0, MaskPaste.ExpandedBox(new BoxF(0.5f, 0.5f, 28.5f, 28.5f), 28).X0);
    }

    [Fact]
    public void AFullMaskCoversItsBoxAndNothingFarOutside()
    {
        var bitmap = new MaskBitmap();
        MaskPaste.Paste(Filled(1f), 28, new BoxF(10, 20, 38, 48), 100, 100, bitmap);
        Assert.True(bitmap[10, 20] && bitmap[37, 47] && bitmap[24, 34]);
        Assert.False(bitmap[8, 34]);
        Assert.False(bitmap[24, 50]);
        Assert.Equal(new PixelRect(9, 19, 40, 50), bitmap.Bounds);
        // 30 padded cells over 31 px: pixel 9 samples the zero border (out), pixel 10 is 0.95 (in), pixel 38
        // is 0.95 (in, torchvision's boxes are inclusive), pixel 39 is the border again: 29 px each way.
        Assert.False(bitmap[9, 34]);
        Assert.True(bitmap[38, 34]);
        Assert.False(bitmap[39, 34]);
        Assert.Equal(29 * 29, bitmap.PixelCount);
    }

    [Fact]
    public void ProbabilitiesAtOrBelowTheThresholdAreOut()
    {
        var bitmap = new MaskBitmap();
        MaskPaste.Paste(Filled(0.5f), 28, new BoxF(0, 0, 28, 28), 64, 64, bitmap);
        Assert.Equal(0, bitmap.PixelCount);
        MaskPaste.Paste(Filled(0.51f), 28, new BoxF(0, 0, 56, 56), 64, 64, bitmap);
        Assert.True(bitmap.PixelCount > 50 * 50);
    }

    [Fact]
    public void ABoxPartlyOutsideTheImageIsClipped()
    {
        var bitmap = new MaskBitmap();
        MaskPaste.Paste(Filled(1f), 28, new BoxF(-20, -20, 20, 20), 30, 30, bitmap);
        Assert.Equal(0, bitmap.Bounds.X0);
        Assert.Equal(0, bitmap.Bounds.Y0);
        Assert.True(bitmap[0, 0] && bitmap[19, 19]);
        Assert.False(bitmap[25, 25]);
    }

    [Fact]
    public void ABoxEntirelyOutsideGivesAnEmptyMask()
    {
        var bitmap = new MaskBitmap();
        MaskPaste.Paste(Filled(1f), 28, new BoxF(200, 200, 240, 240), 100, 100, bitmap);
        Assert.True(bitmap.Bounds.IsEmpty);
        Assert.Equal(0, bitmap.PixelCount);
    }

    [Fact]
    public void HalfAMaskPastesIntoHalfTheBox()
    {
        var mask = new float[28 * 28];
        for (int y = 0; y < 28; y++)
        {
            for (int x = 0; x < 14; x++)
            {
                mask[y * 28 + x] = 1f;
            }
        }
        var bitmap = new MaskBitmap();
        MaskPaste.Paste(mask, 28, new BoxF(0, 0, 56, 56), 100, 100, bitmap);
        Assert.True(bitmap[10, 28]);
        Assert.False(bitmap[45, 28]);
        Assert.InRange(bitmap.PixelCount, 27 * 56, 29 * 56);
    }

    [Fact]
    public void AWrongSizedMaskIsRefused() =>
        Assert.Throws<ArgumentException>(() => MaskPaste.Paste(new float[10], 28, new BoxF(0, 0, 5, 5), 10, 10, new MaskBitmap()));
}
