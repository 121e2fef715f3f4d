using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;

namespace RealtimeSeg.Tests.Model;

/// <summary>Contract detection, labels, and every bad model a user can hand us: one clear line, nothing leaked.</summary>
public sealed class ModelLoadingTests
{
    [Theory]
    [InlineData("tiny_maskrcnn.onnx", ModelContract.Torchvision, "Rgb01", 0)]
    [InlineData("tiny_maskrcnn_raw.onnx", ModelContract.TorchvisionRaw, "Rgb01", 28)]
    [InlineData("tiny_maskrcnn_zoo.onnx", ModelContract.Zoo, "BgrMeanSubtracted", 28)]
    [InlineData("tiny_fasterrcnn.onnx", ModelContract.DetectionOnly, "Rgb01", 0)]
    public void ContractIsDetectedFromTheModel(string file, ModelContract contract, string encoding, int rawMaskSize)
    {
        using var model = Fixtures.Open(Fixtures.Model(file));
        Assert.Equal(contract, model.Contract);
        Assert.Equal(contract, model.Layout.Contract);
        Assert.Equal(encoding, model.Layout.Encoding.ToString());
        Assert.Equal(rawMaskSize, model.Layout.RawMaskSize);
        Assert.Equal(contract == ModelContract.Zoo ? 32 : 1, model.Layout.PadMultiple);
        Assert.Equal(["background", "box", "disc"], model.Labels.Names);
    }

    [Fact]
    public void LabelsComeFromTheFileBesideTheModelOrItsMetadata()
    {
        using (var model = Fixtures.Open(Fixtures.MaskRcnn))
        {
            Assert.EndsWith("tiny_maskrcnn.labels.txt", model.Labels.Source, StringComparison.Ordinal);
        }
        using (var model = Fixtures.Open(Fixtures.MaskRcnnRaw))
        {
            Assert.Contains("metadata", model.Labels.Source, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MissingModelSaysNotFound()
    {
        var e = Assert.Throws<ModelLoadException>(() => Fixtures.Open("/nonexistent/model.onnx"));
        Assert.Equal("model file /nonexistent/model.onnx not found; give SegmentationModel.Open the path of an .onnx file", e.Message);
    }

    [Fact]
    public void EmptyAndTruncatedModelsAreNamedAsSuch()
    {
        using var dir = Fixtures.TempDir();
        string empty = dir.File("empty.onnx");
        File.WriteAllBytes(empty, []);
        Assert.Contains("is empty (0 bytes)", Assert.Throws<ModelLoadException>(() => Fixtures.Open(empty)).Message, StringComparison.Ordinal);

        string truncated = dir.File("truncated.onnx");
        byte[] bytes = File.ReadAllBytes(Fixtures.MaskRcnn);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<ModelLoadException>(() => Fixtures.Open(truncated));
        Assert.StartsWith($"{truncated} is not a loadable ONNX model (truncated or corrupt?): ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message.TrimEnd());
        Assert.Equal(0, OrtDiagnostics.LiveHandles);
    }

    [Fact]
    public void ANonDetectorIsRejectedWithWhatWasFoundAndWhatWasExpected()
    {
        var e = Assert.Throws<ModelLoadException>(() => Fixtures.Open(Fixtures.NotADetector));
        Assert.Equal(
            "not_a_detector.onnx is not a detector RealtimeSeg can serve: it has inputs input: float32[1,3,32,32], outputs logits: float32[1,10]; " +
            "expected a detector: one float32[3,H,W] image input; outputs boxes float32[N,4], labels int64[N], scores float32[N] and optionally masks float32[N,1,h,w]",
            e.Message);
        Assert.Equal(0, OrtDiagnostics.LiveHandles);
    }

    [Fact]
    public void ALabelsFileWithTheWrongClassCountFailsAtLoad()
    {
        using var dir = Fixtures.TempDir();
        string model = dir.File("m.onnx");
        File.Copy(Fixtures.MaskRcnn, model);
        File.WriteAllLines(dir.File("m.labels.txt"), ["background", "cat", "dog", "bird"]);
        var e = Assert.Throws<ModelLoadException>(() => Fixtures.Open(model));
        Assert.Equal($"{dir.File("m.labels.txt")} names 4 classes (background included) but the model has 3 (realtimeseg.num_classes); use the labels file made with this model", e.Message);
        Assert.Equal(0, OrtDiagnostics.LiveHandles);
    }

    [Fact]
    public void WithoutAClassCountALabelIdPastTheLabelsFailsAtTheFirstResultNotAsGarbage()
    {
        // The zoo fixture carries no metadata; a one-class labels file cannot name its class 2 (disc).
        using var dir = Fixtures.TempDir();
        string model = dir.File("zoo.onnx");
        File.Copy(Fixtures.MaskRcnnZoo, model);
        File.WriteAllLines(dir.File("zoo.labels.txt"), ["background", "box"]);
        using var m = Fixtures.Open(model, new ModelOptions { Size = 128 });
        using var slot = m.CreateSlot();
        using var frame = Fixtures.Frame("scene2");
        var e = Assert.Throws<ModelOutputException>(() => slot.Segment(frame, m.CreateInstanceSet()));
        Assert.Equal($"the model returned class id 2 but {dir.File("zoo.labels.txt")} names only 2 classes (ids 0..1); the labels do not belong to this model", e.Message);
    }

    [Fact]
    public void AForcedContractThatContradictsTheOutputsIsAnError()
    {
        var e = Assert.Throws<ModelLoadException>(() => Fixtures.Open(Fixtures.FasterRcnn, new ModelOptions { Contract = ModelContract.Torchvision }));
        Assert.StartsWith("tiny_fasterrcnn.onnx is declared 'torchvision' but its outputs fit 'detection-only'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMaskModelMayBeServedAsDetectionOnly()
    {
        using var model = Fixtures.Open(Fixtures.MaskRcnn, new ModelOptions { Contract = ModelContract.DetectionOnly });
        using var slot = model.CreateSlot();
        using var frame = Fixtures.Frame("scene1");
        var set = model.CreateInstanceSet();
        slot.Segment(frame, set);
        Assert.True(set.Count > 0);
        Assert.Equal(Runtime.Structures.MaskKind.None, set.MaskKind);
    }

    [Fact]
    public void ABadLabelsFileIsNamed()
    {
        using var dir = Fixtures.TempDir();
        string labels = dir.File("one.txt");
        File.WriteAllText(labels, "background\n");
        var e = Assert.Throws<ModelLoadException>(() => Fixtures.Open(Fixtures.MaskRcnn, new ModelOptions { LabelsPath = labels }));
        Assert.Equal($"labels file {labels} has 1 line(s); expected the background on line 1 and one class name per line after it", e.Message);
        Assert.IsAssignableFrom<RealtimeSegException>(e);
    }

    [Fact]
    public void OutputsThatDisagreeInCountAreAnErrorNamingTheCounts()
    {
        using var model = Fixtures.Open(Fixtures.Model("mismatched_counts.onnx"));
        using var slot = model.CreateSlot();
        using var frame = Fixtures.Frame("scene0");
        var e = Assert.Throws<ModelOutputException>(() => slot.Segment(frame, model.CreateInstanceSet()));
        Assert.Equal("the model returned 2 boxes but masks for 1; a detector's outputs must agree in count", e.Message);
    }
}
