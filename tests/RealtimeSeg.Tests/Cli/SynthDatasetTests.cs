using System.Text.Json;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Tests.Cli;

public sealed class SynthDatasetTests
{
    [Fact]
    public void WritesAReproducibleCocoDatasetWhoseMasksMatchTheirBoxesAndAreas()
    {
        using var dir = Fixtures.TempDir();
        string a = Path.Combine(dir.Path, "a"), b = Path.Combine(dir.Path, "b");
        var r = CliRunner.Run(["synth-dataset", "--out", a, "--train", "4", "--val", "3", "--size", "96x64", "--seed", "9"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("train: 4 images", r.Stdout, StringComparison.Ordinal);
        Assert.True(CliRunner.Run(["synth-dataset", "--out", b, "--train", "4", "--val", "3", "--size", "96x64", "--seed", "9"]).ExitCode == 0);

        foreach (string split in new[] { "train", "val" })
        {
            string json = Path.Combine(a, "annotations", $"instances_{split}.json");
            Assert.Equal(File.ReadAllBytes(json), File.ReadAllBytes(Path.Combine(b, "annotations", $"instances_{split}.json")));
            using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
            var root = doc.RootElement;
            Assert.Equal(["circle", "square", "triangle", "star", "hexagon"],
                root.GetProperty("categories").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
            Assert.Equal(split == "train" ? 4 : 3, root.GetProperty("images").GetArrayLength());
            foreach (var image in root.GetProperty("images").EnumerateArray())
            {
                string file = Path.Combine(a, "images", image.GetProperty("file_name").GetString()!);
                using var frame = Png.Read(file);
                Assert.Equal((96, 64), (frame.Width, frame.Height));
                Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(b, "images", image.GetProperty("file_name").GetString()!)));
            }
            var truth = CocoGroundTruth.Load(a, split);
            Assert.NotEmpty(truth.Objects);
            foreach (var (o, ann) in truth.Objects.Zip(root.GetProperty("annotations").EnumerateArray()))
            {
                Assert.Equal(ann.GetProperty("area").GetInt32(), o.Mask.PixelCount);
                Assert.Equal(o.Box.X1, o.Mask.Bounds.X0);
                Assert.Equal(o.Box.Y2, o.Mask.Bounds.Y1);
                Assert.InRange(o.CategoryId, 1, 5);
            }
        }
    }

    [Fact]
    public void TrainZeroWritesOnlyVal()
    {
        using var dir = Fixtures.TempDir();
        var r = CliRunner.Run(["synth-dataset", "--out", dir.Path, "--train", "0", "--val", "2", "--size", "64x48"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.True(File.Exists(Path.Combine(dir.Path, "annotations", "instances_val.json")));
        Assert.False(File.Exists(Path.Combine(dir.Path, "annotations", "instances_train.json")));
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        using var dir = Fixtures.TempDir();
        Assert.Equal("error: --size 10x10 is too small; use at least 32x32",
            CliRunner.AssertOneLineError(CliRunner.Run(["synth-dataset", "--out", dir.Path, "--size", "10x10"])));
        Assert.Equal("error: --train 0 and --val 0 must be zero or more, and not both zero",
            CliRunner.AssertOneLineError(CliRunner.Run(["synth-dataset", "--out", dir.Path, "--train", "0", "--val", "0"])));
        File.WriteAllText(dir.File("notes.txt"), "mine");
        string line = CliRunner.AssertOneLineError(CliRunner.Run(["synth-dataset", "--out", dir.Path, "--train", "1", "--val", "1"]));
        Assert.StartsWith($"error: --out {dir.Path} is not empty and not a synthetic dataset (it holds notes.txt)", line, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(dir.File("notes.txt")));
    }
}
