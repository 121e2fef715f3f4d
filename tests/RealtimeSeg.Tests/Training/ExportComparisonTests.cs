using System.Diagnostics;
using RealtimeSeg.App.Training;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Tests.Cli;

namespace RealtimeSeg.Tests.Training;

/// <summary>
/// train's check of the pasted export against the raw export of the same checkpoint, on the shipped demo model's
/// two exports and on copies of its pasted export that the onnx package has broken in one way each.
/// </summary>
public sealed class ExportComparisonTests
{
    // Rewires one output of the graph through one more node: masks mirrored left to right, or scores halved.
    private const string Tamper = """
        import sys, onnx
        from onnx import helper, TensorProto
        source, target, mode = sys.argv[1:]
        m = onnx.load(source)
        g = m.graph
        name = "masks" if mode == "mirror" else "scores"
        for n in g.node:
            for i, o in enumerate(n.output):
                if o == name:
                    n.output[i] = name + "_untampered"
        if mode == "mirror":
            g.initializer.extend([helper.make_tensor(k, TensorProto.INT64, [1], [v]) for k, v in
                                  [("t_starts", -1), ("t_ends", -(2 ** 62)), ("t_axes", 3), ("t_steps", -1)]])
            g.node.append(helper.make_node("Slice", [name + "_untampered", "t_starts", "t_ends", "t_axes", "t_steps"], [name]))
        else:
            g.initializer.append(helper.make_tensor("t_half", TensorProto.FLOAT, [], [0.5]))
            g.node.append(helper.make_node("Mul", [name + "_untampered", "t_half"], [name]))
        onnx.save(m, target)
        """;

    private static CocoGroundTruth Val(TempDir dir)
    {
        string data = Path.Combine(dir.Path, "coco");
        var r = CliRunner.Run(["synth-dataset", "--out", data, "--train", "0", "--val", "4", "--seed", "8"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return CocoGroundTruth.Load(data, "val");
    }

    private static string Tampered(TempDir dir, string mode)
    {
        string script = Path.Combine(dir.Path, "tamper.py");
        File.WriteAllText(script, Tamper);
        string target = Path.Combine(dir.Path, $"pasted_{mode}.onnx");
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true };
        foreach (string a in new[] { script, Fixtures.DemoModelPasted, target, mode })
        {
            psi.ArgumentList.Add(a);
        }
        using var python = Process.Start(psi)!;
        string stderr = python.StandardError.ReadToEnd();
        Assert.True(python.WaitForExit(60_000), "the onnx rewrite did not finish in 60 s");
        Assert.True(python.ExitCode == 0, stderr);
        return target;
    }

    private static ExportComparison Compare(string pasted, CocoGroundTruth val)
    {
        var cpu = new InferenceOptions { Provider = ExecutionProvider.Cpu };
        using var raw = SegmentationModel.Open(Fixtures.DemoModel, cpu);
        using var other = SegmentationModel.Open(pasted, cpu);
        return ExportComparison.Of(raw, other, val);
    }

    [Fact]
    public void TheDemoModelsTwoExportsGiveTheSameDetectionsAndTheSamePaste()
    {
        using var dir = Fixtures.TempDir();
        var c = Compare(Fixtures.DemoModelPasted, Val(dir));
        Assert.True(c.Detections >= 4, $"{c.Detections} detections on 4 pictures");
        Assert.Equal(0, c.Unmatched);
        Assert.Equal(0, c.MasksOff);
        Assert.InRange(c.LargestMaskDifference, 0f, 1e-4f);
        Assert.True(c.Agrees);
        Assert.StartsWith($"shapes_maskrcnn_pasted.onnx gives shapes_maskrcnn.onnx's {c.Detections} detections, its masks torchvision's paste of them within",
            c.Describe("shapes_maskrcnn.onnx", "shapes_maskrcnn_pasted.onnx"), StringComparison.Ordinal);
    }

    [Fact]
    public void MasksPastedInTheWrongPlaceAreCaughtWhateverTheScoresSay()
    {
        using var dir = Fixtures.TempDir();
        var c = Compare(Tampered(dir, "mirror"), Val(dir));
        Assert.Equal(0, c.Unmatched);
        Assert.True(c.MasksOff > c.Allowed, $"{c.MasksOff} of {c.Detections} masks off");
        Assert.False(c.Agrees);
        Assert.Equal($"b's masks are not torchvision's paste of a's: {c.MasksOff} of {c.Detections} differ by more than 0.01", c.Describe("a", "b"));
    }

    [Fact]
    public void DetectionsThatAreNotTheRawExportsAreCaught()
    {
        using var dir = Fixtures.TempDir();
        var c = Compare(Tampered(dir, "halve"), Val(dir));
        Assert.Equal(c.Detections, c.Unmatched);
        Assert.False(c.Agrees);
        Assert.Equal($"b's detections differ from a's: {c.Detections} of {c.Detections} have no match (class, box within 0.5 px, score within 0.001)", c.Describe("a", "b"));
    }
}
