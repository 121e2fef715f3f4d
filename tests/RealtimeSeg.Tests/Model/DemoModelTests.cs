using System.Text.Json;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;
using RealtimeSeg.Tests.Cli;

namespace RealtimeSeg.Tests.Model;

/// <summary>The shipped demo model: PyTorch parity, and that it finds the synthetic scene's shapes.</summary>
public sealed class DemoModelTests
{
    public static TheoryData<string, string> ModelsAndFrames()
    {
        var data = new TheoryData<string, string>();
        foreach (string model in new[] { "shapes_maskrcnn.onnx", "shapes_maskrcnn_pasted.onnx" })
        {
            foreach (string frame in Directory.GetFiles(Path.Combine(Fixtures.DemoDir, "reference"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order())
            {
                data.Add(model, frame);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsAndFrames))]
    public void ReproducesPyTorchOnTheReferenceFrames(string modelFile, string frameName)
    {
        var reference = Fixtures.LoadReferenceFile(Path.Combine(Fixtures.DemoDir, "reference", frameName + ".json")).Maskrcnn;
        using var model = Fixtures.Open(Path.Combine(Fixtures.RepoRoot, "models", modelFile));
        using var slot = model.CreateSlot();
        using var frame = Png.Read(Path.Combine(Fixtures.DemoDir, "images", "val", frameName + ".png"));
        var instances = model.CreateInstanceSet();
        slot.Segment(frame, instances, new SegmentOptions { MinScore = 0f });
        Assert.True(reference.Boxes.Count > 0);
        ReferenceAssert.Matches(reference, instances, $"{modelFile} {frameName}");
    }

    [Fact]
    public void ShipsAsARawMaskModelWithTheScenesClasses()
    {
        using var model = Fixtures.Open(Fixtures.DemoModel);
        Assert.Equal(ModelContract.TorchvisionRaw, model.Layout.Contract);
        Assert.Equal(ShapeClasses.Names, model.Labels.Names);
        Assert.True(new FileInfo(Fixtures.DemoModel).Length <= 15 * 1024 * 1024);
    }

    public static TheoryData<string> ShippedModels() => new("shapes_maskrcnn.onnx", "shapes_maskrcnn_pasted.onnx");

    [Theory]
    [MemberData(nameof(ShippedModels))]
    public void FindsTheGroundTruthShapesInLiveSceneFramesAt640x480(string modelFile)
    {
        // Scenes the model never saw (other seeds), at twice the training resolution, as the demo renders them.
        using var model = Fixtures.Open(Path.Combine(Fixtures.RepoRoot, "models", modelFile));
        using var slot = model.CreateSlot();
        var predicted = model.CreateInstanceSet();
        var truth = new InstanceSet(SyntheticShapesSource.ClassLabels);
        using var frame = Frame.Allocate(640, 480, PixelFormat.Rgb24);
        int expected = 0, found = 0, predictions = 0, correct = 0;
        foreach (int seed in new[] { 101, 202, 303 })
        {
            var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Width = 640, Height = 480, Seed = seed });
            for (int i = 0; i < 12; i++)
            {
                scene.Skip(9);
                scene.Render(frame, truth);
                slot.Segment(frame, predicted, SegmentOptions.Default);
                var used = new bool[predicted.Count];
                for (int g = 0; g < truth.Count; g++)
                {
                    var gtMask = truth.Mask(g);
                    if (gtMask.PixelCount < scene.MinInstanceArea)
                    {
                        continue; // a sliver, not an instance
                    }
                    expected++;
                    int best = -1;
                    float bestIou = 0.5f;
                    for (int p = 0; p < predicted.Count; p++)
                    {
                        if (used[p] || predicted.ClassIds[p] != truth.ClassIds[g] || BoxF.Iou(predicted.Boxes[p], truth.Boxes[g]) == 0)
                        {
                            continue;
                        }
                        float iou = MaskBitmap.Iou(predicted.Mask(p), gtMask);
                        if (iou >= bestIou)
                        {
                            (best, bestIou) = (p, iou);
                        }
                    }
                    if (best >= 0)
                    {
                        used[best] = true;
                        found++;
                    }
                }
                predictions += predicted.Count;
                correct += used.Count(u => u);
            }
        }
        double recall = (double)found / expected, precision = (double)correct / Math.Max(1, predictions);
        Assert.True(expected > 100, $"only {expected} ground-truth instances: the test needs more");
        Assert.True(recall >= 0.9, $"recall {recall:0.000} ({found}/{expected}) at mask IoU 0.5, precision {precision:0.000}");
    }

    [Theory]
    [MemberData(nameof(ShippedModels))]
    public void EvaluateMeasuresMaskApOnAFreshValSplit(string modelFile)
    {
        // Both contracts: evaluation keeps every image's masks, so a mask that aliased the reused instance set
        // (the full-resolution contract once did) scores zero here.
        using var dir = Fixtures.TempDir();
        var made = CliRunner.Run(["synth-dataset", "--out", dir.Path, "--train", "0", "--val", "16", "--size", "320x240", "--seed", "4242"]);
        Assert.True(made.ExitCode == 0, made.Stderr);
        var r = CliRunner.Run(["evaluate", "--model", Path.Combine(Fixtures.RepoRoot, "models", modelFile), "--data", dir.Path, "--json", "--provider", "cpu"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        double ap50 = doc.RootElement.GetProperty("mask.AP50").GetDouble();
        double ap = doc.RootElement.GetProperty("mask.AP").GetDouble();
        Assert.Equal(16, doc.RootElement.GetProperty("images").GetInt32());
        Assert.True(ap50 >= 0.85 && ap >= 0.6 && ap <= ap50, $"{modelFile}: mask AP {ap}, AP50 {ap50} on 16 fresh images");
    }
}
