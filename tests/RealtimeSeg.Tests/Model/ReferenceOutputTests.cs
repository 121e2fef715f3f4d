using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Model;

/// <summary>
/// The C# runtime reproduces PyTorch: the fixture models, run through ORT by our binding, give the same
/// instances as torchvision's eager model on the same frames (tools/make_fixtures.py wrote the references).
/// </summary>
public sealed class ReferenceOutputTests
{
    private static readonly SegmentOptions All = new() { MinScore = 0f };

    public static TheoryData<string, string> ContractsAndScenes()
    {
        var data = new TheoryData<string, string>();
        foreach (string model in new[] { "tiny_maskrcnn.onnx", "tiny_maskrcnn_raw.onnx", "tiny_maskrcnn_zoo.onnx" })
        {
            foreach (string scene in Fixtures.Scenes)
            {
                data.Add(model, scene);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ContractsAndScenes))]
    public void MaskRcnnMatchesPyTorch(string modelFile, string scene)
    {
        var reference = Fixtures.LoadReference(scene).Maskrcnn;
        using var model = Fixtures.Open(Fixtures.Model(modelFile), new ModelOptions { Size = 128 });
        using var slot = model.CreateSlot();
        using var frame = Fixtures.Frame(scene);
        var instances = model.CreateInstanceSet();
        slot.Segment(frame, instances, All);

        Assert.True(reference.Boxes.Count > 0, "fixture scenes must hold instances");
        ReferenceAssert.Matches(reference, instances, $"{modelFile} {scene}");
    }

    [Theory]
    [MemberData(nameof(Scenes))]
    public void FasterRcnnMatchesPyTorch(string scene)
    {
        var reference = Fixtures.LoadReference(scene).Fasterrcnn;
        using var model = Fixtures.Open(Fixtures.FasterRcnn);
        using var slot = model.CreateSlot();
        using var frame = Fixtures.Frame(scene);
        var instances = model.CreateInstanceSet();
        slot.Segment(frame, instances, All);

        Assert.Equal(MaskKind.None, instances.MaskKind);
        ReferenceAssert.Matches(reference, instances, $"faster r-cnn {scene}", masks: false);
    }

    public static TheoryData<string> Scenes() => new(Fixtures.Scenes);

    public static TheoryData<string> AllModels() =>
        new("tiny_maskrcnn.onnx", "tiny_maskrcnn_raw.onnx", "tiny_maskrcnn_zoo.onnx", "tiny_fasterrcnn.onnx");

    [Theory]
    [MemberData(nameof(AllModels))]
    public void BlankFrameGivesAnEmptySetThroughEveryContract(string modelFile)
    {
        using var model = Fixtures.Open(Fixtures.Model(modelFile), new ModelOptions { Size = 128 });
        using var slot = model.CreateSlot();
        using var frame = Fixtures.Frame("blank");
        var instances = model.CreateInstanceSet();
        slot.Segment(frame, instances, All);

        // The model itself returned zero rows (the [0,4] path exports have broken on), not just low scores.
        Assert.Equal(0, slot.Outputs.OutputShape(model.Layout.BoxesOutput)[0]);
        Assert.Equal(0, instances.Count);
        Assert.Equal(frame.Width, instances.ImageWidth);
        Assert.True(instances.Boxes.IsEmpty);
    }

    [Fact]
    public void ScoreClassAndCountLimitsApply()
    {
        using var model = Fixtures.Open(Fixtures.MaskRcnnRaw);
        using var slot = model.CreateSlot();
        using var frame = Fixtures.Frame("scene2");
        var all = model.CreateInstanceSet();
        slot.Segment(frame, all, All);
        Assert.True(all.Count >= 3);

        var discs = model.CreateInstanceSet();
        slot.Postprocess(discs, new SegmentOptions { MinScore = 0f, Classes = new HashSet<int> { 2 } });
        Assert.True(discs.Count > 0);
        Assert.All(discs.ClassIds.ToArray(), id => Assert.Equal(2, id));
        Assert.Equal("disc", discs.ClassName(0));

        var top = model.CreateInstanceSet();
        slot.Postprocess(top, new SegmentOptions { MinScore = 0f, MaxInstances = 1 });
        Assert.Equal(1, top.Count);
        Assert.Equal(all.Scores.ToArray().Max(), top.Scores[0]);

        var confident = model.CreateInstanceSet();
        slot.Postprocess(confident, new SegmentOptions { MinScore = 0.9f });
        Assert.All(confident.Scores.ToArray(), s => Assert.True(s >= 0.9f));
        Assert.True(confident.Count < all.Count, "scene2 holds a detection under 0.9 that the threshold must drop");
    }

    [Fact]
    public void BoxesMapBackToTheSourceFrameWhenTheModelInputIsResized()
    {
        // The same scene upscaled 4x: detections must come back in the large frame's pixels.
        using var model = Fixtures.Open(Fixtures.MaskRcnnRaw);
        using var slot = model.CreateSlot();
        using var small = Fixtures.Frame("scene1");
        using var large = Upscale(small, 4);
        var a = model.CreateInstanceSet();
        var b = model.CreateInstanceSet();
        slot.Segment(small, a, All);
        slot.Segment(large, b, All);

        Assert.Equal(small.Width * 4, b.ImageWidth);
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            var expected = a.Boxes[i].Scale(4, 4);
            int j = ReferenceAssert.Match(b, expected, a.ClassIds[i]);
            Assert.True(BoxF.Iou(expected, b.Boxes[j]) > 0.9f, $"{expected} vs {b.Boxes[j]}");
            // The mask is pasted at the large frame's resolution: 16x the pixels, give or take the edges.
            double ratio = (double)b.Mask(j).PixelCount / a.Mask(i).PixelCount;
            Assert.InRange(ratio, 16 * 0.85, 16 * 1.15);
        }
    }

    private static Runtime.Imaging.Frame Upscale(Runtime.Imaging.Frame src, int factor)
    {
        var dst = Runtime.Imaging.Frame.Allocate(src.Width * factor, src.Height * factor, src.Format);
        for (int y = 0; y < dst.Height; y++)
        {
            var s = src.Row(y / factor);
            var d = dst.Row(y);
            for (int x = 0; x < dst.Width; x++)
            {
                s.Slice(x / factor * 3, 3).CopyTo(d.Slice(x * 3, 3));
            }
        }
        return dst;
    }
}
