using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Structures;

public sealed class InstanceSetTests
{
    private static readonly LabelMap Labels = new(["background", "a", "b"], "test");

    [Fact]
    public void FieldsGrowTogetherAndFilteringKeepsThemAligned()
    {
        var set = new InstanceSet(Labels);
        set.Reset(100, 80, MaskKind.Raw, 2);
        for (int i = 0; i < 20; i++)
        {
            int k = set.Add(new BoxF(i, i, i + 10, i + 10), i / 20f, 1 + i % 2);
            set.WritableRawMask(k).Fill(i);
        }
        Assert.Equal(20, set.Count);
        Assert.Equal(20, set.Boxes.Length);
        Assert.Equal(20, set.Scores.Length);

        var bs = set.Where(i => set.ClassIds[i] == 2);
        Assert.Equal(10, bs.Count);
        for (int j = 0; j < bs.Count; j++)
        {
            int original = 2 * j + 1;
            Assert.Equal(set.Boxes[original], bs.Boxes[j]);
            Assert.Equal(set.Scores[original], bs.Scores[j]);
            Assert.Equal("b", bs.ClassName(j));
            Assert.All(bs.RawMask(j).ToArray(), v => Assert.Equal(original, v));
        }
        Assert.Equal((100, 80), (bs.ImageWidth, bs.ImageHeight));
    }

    [Fact]
    public void ResetEmptiesWithoutLosingCapacity()
    {
        var set = new InstanceSet(Labels);
        set.Reset(10, 10, MaskKind.None);
        set.Add(new BoxF(0, 0, 1, 1), 1, 1);
        set.Reset(10, 10, MaskKind.None);
        Assert.Equal(0, set.Count);
        Assert.True(set.Boxes.IsEmpty);
        Assert.Throws<InvalidOperationException>(() => set.Add(new BoxF(0, 0, 1, 1), 1, 1) is var i ? set.Mask(i) : null);
    }

    [Fact]
    public void MasksHandedOutOutliveTheNextFrame()
    {
        // A set is refilled every frame; a mask a caller took must not change underneath it.
        var set = new InstanceSet(Labels);
        set.Reset(20, 20, MaskKind.Bitmap);
        set.StoredBitmap(set.Add(new BoxF(0, 0, 4, 4), 1, 1)).Reset(new PixelRect(0, 0, 4, 4)).Fill(1);
        var taken = set.Mask(0);
        var reused = set.Mask(0, new MaskBitmap());

        set.Reset(20, 20, MaskKind.Bitmap);
        set.StoredBitmap(set.Add(new BoxF(10, 10, 12, 12), 1, 1)).Reset(new PixelRect(10, 10, 12, 12)).Fill(1);

        Assert.Equal(16, taken.PixelCount);
        Assert.Equal(16, reused.PixelCount);
        Assert.Equal(new PixelRect(0, 0, 4, 4), taken.Bounds);
        Assert.Equal(4, set.Mask(0).PixelCount);
    }

    [Fact]
    public void UnknownClassIdsAreNamedByNumber()
    {
        Assert.Equal("class 7", Labels.Name(7));
        Assert.Equal("class 3", LabelMap.None.Name(3));
    }

    [Fact]
    public void BoxGeometry()
    {
        var a = new BoxF(0, 0, 10, 10);
        var b = new BoxF(5, 0, 15, 10);
        Assert.Equal(100, a.Area);
        Assert.Equal(50f / 150f, BoxF.Iou(a, b), 6);
        Assert.Equal(0, BoxF.Iou(a, new BoxF(20, 20, 30, 30)));
        Assert.True(new BoxF(5, 5, 5, 9).IsEmpty);
        Assert.Equal(0, new BoxF(5, 5, 4, 9).Area);
        Assert.Equal(new BoxF(0, 2, 8, 8), new BoxF(-3, 2, 12, 9).Clip(8, 8));
    }

    [Fact]
    public void AReusedSetRefusesIndicesPastItsCountInsteadOfReturningTheLastFramesInstances()
    {
        var set = new InstanceSet(Labels);
        set.Reset(100, 80, MaskKind.Raw, 2);
        for (int i = 0; i < 3; i++)
        {
            set.Add(new BoxF(i, i, i + 10, i + 10), 0.9f, 2);
        }
        set.Reset(100, 80, MaskKind.Raw, 2); // the next frame: one instance where there were three
        set.Add(new BoxF(1, 1, 9, 9), 0.8f, 1);
        Assert.Equal("a", set.ClassName(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.ClassName(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.RawMask(1).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Mask(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.ClassName(-1));
    }

    [Fact]
    public void ReadersSeeNoWayToChangeASet()
    {
        // Pooled results are shared between the pipeline, renderers and hosts: writing is the producer's, internally.
        var writers = typeof(InstanceSet).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(m => m.DeclaringType == typeof(InstanceSet))
            .Where(m => m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Span<>)
                        || m.Name is "Reset" or "Add" or "WritableRawMask" or "StoredBitmap" || m.Name.StartsWith("set_", StringComparison.Ordinal))
            .Select(m => m.Name);
        Assert.Empty(writers);
    }

    [Fact]
    public void AHostBuildsASetFromItsOwnDetections()
    {
        var mask = new MaskBitmap();
        mask.Reset(new PixelRect(10, 10, 20, 20)).Fill(1);
        var set = InstanceSet.FromDetections(64, 48, Labels, [new BoxF(10, 10, 20, 20), new BoxF(30, 5, 40, 15)], [0.9f, 0.4f], [1, 2],
            [mask, new MaskBitmap()]);
        Assert.Equal((2, MaskKind.Bitmap, 64, 48), (set.Count, set.MaskKind, set.ImageWidth, set.ImageHeight));
        Assert.Equal(["a", "b"], new[] { set.ClassName(0), set.ClassName(1) });
        Assert.Equal(100, set.Mask(0).PixelCount);
        mask.Data.Clear(); // the set holds its own copy
        Assert.Equal(100, set.Mask(0).PixelCount);
        var e = Assert.Throws<ArgumentException>(() => InstanceSet.FromDetections(64, 48, Labels, [new BoxF(1, 1, 2, 2)], [0.5f, 0.6f], [1]));
        Assert.Contains("1 boxes, 2 scores, 1 class ids", e.Message, StringComparison.Ordinal);
    }
}
