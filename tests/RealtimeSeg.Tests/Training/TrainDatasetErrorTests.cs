using System.Text.Json.Nodes;
using RealtimeSeg.Tests.Cli;

namespace RealtimeSeg.Tests.Training;

/// <summary>How <c>train</c> reports problems of its errors' kind: the one-line rule, with progress allowed before it.</summary>
internal static class TrainErrors
{
    /// <summary>
    /// Exit 2; stderr's only "error: " line is its last (progress lines of the checks may come before it), and no
    /// stack trace. Returns that line.
    /// </summary>
    public static string AssertOneError(CliRunner.Result result)
    {
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var errors = lines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, "expected one error line, got:\n" + result.Stderr);
        Assert.Equal(errors[0], lines[^1]);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Traceback", result.Stderr, StringComparison.Ordinal);
        return errors[0];
    }
}

/// <summary>
/// Every dataset problem is found before the first iteration and told in one line naming the file, the shape and the
/// fix; the run folder is not created. The datasets are the tests' own (synth-dataset's COCO, LabelmeScenes), each
/// with one thing broken as users' exports break.
/// </summary>
public sealed class TrainDatasetErrorTests
{
    private static CliRunner.Result Train(string data, string output) =>
        CliRunner.Run(["train", "--data", data, "--out", output, "--iterations", "5", "--size", "64"], timeoutSeconds: 120);

    private static string MakeCoco(TempDir dir)
    {
        string data = Path.Combine(dir.Path, "coco");
        var r = CliRunner.Run(["synth-dataset", "--out", data, "--train", "8", "--val", "0", "--size", "96x64", "--seed", "4"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return data;
    }

    private static void EditCoco(string data, Action<JsonObject> edit)
    {
        string file = Path.Combine(data, "annotations", "instances_train.json");
        var root = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        edit(root);
        File.WriteAllText(file, root.ToJsonString());
        File.Delete(Path.Combine(data, "annotations", "instances_val.json"));
    }

    private static JsonObject FirstAnnotation(JsonObject root) => root["annotations"]![0]!.AsObject();

    private static JsonArray Polygon(params double[] xy) => [new JsonArray([.. xy.Select(v => (JsonNode)v)])];

    public static TheoryData<string, string[]> CocoCases() => new()
    {
        { "missing picture", ["instances_train.json: picture ", "images/train/000002.png is missing; put it there or correct the annotation's file name"] },
        { "unreadable picture", ["000001.png is not a picture SkiaSharp can read", "re-save it as PNG or JPEG"] },
        { "two-point polygon", ["annotation 1 (image train/000001.png, '", "has a polygon of 2 point(s); a polygon needs at least 3"] },
        { "zero-area polygon", ["annotation 1 (image train/000001.png, '", "covers no pixel; draw it larger or delete it"] },
        { "outside the picture", ["has a point at (500, 10) outside the 96x64 picture"] },
        { "class without instances", ["class 'unicorn' has no instances in the dataset", "label some or remove it"] },
        { "declared size mismatch", ["instances_train.json: it says 120x64, but ", "images/train/000001.png is 96x64", "fix width and height"] },
        { "box only", ["has no segmentation (a box only?)", "export polygons or masks"] },
    };

    [Theory]
    [MemberData(nameof(CocoCases))]
    public void ABrokenCocoDatasetGetsOneLineAndNoRunFolder(string broken, string[] expected)
    {
        using var dir = Fixtures.TempDir();
        string data = MakeCoco(dir);
        switch (broken)
        {
            case "missing picture":
                File.Delete(Path.Combine(data, "images", "train", "000002.png"));
                EditCoco(data, _ => { });
                break;
            case "unreadable picture":
                File.WriteAllText(Path.Combine(data, "images", "train", "000001.png"), "not a picture");
                EditCoco(data, _ => { });
                break;
            case "two-point polygon":
                EditCoco(data, r => FirstAnnotation(r)["segmentation"] = Polygon(10, 10, 20, 20));
                break;
            case "zero-area polygon":
                EditCoco(data, r => FirstAnnotation(r)["segmentation"] = Polygon(10, 10, 20, 20, 30, 30));
                break;
            case "outside the picture":
                EditCoco(data, r => FirstAnnotation(r)["segmentation"] = Polygon(10, 10, 500, 10, 20, 30));
                break;
            case "class without instances":
                EditCoco(data, r => r["categories"]!.AsArray().Add(new JsonObject { ["id"] = 9, ["name"] = "unicorn" }));
                break;
            case "declared size mismatch":
                EditCoco(data, r =>
                {
                    r["images"]![0]!["width"] = 120;
                    foreach (var a in r["annotations"]!.AsArray().Where(a => (int)a!["image_id"]! == 1))
                    {
                        a!["segmentation"] = Polygon(10, 10, 30, 10, 20, 30); // valid for the declared size
                    }
                });
                break;
            case "box only":
                EditCoco(data, r => FirstAnnotation(r).Remove("segmentation"));
                break;
        }
        string output = Path.Combine(dir.Path, "run");
        string error = TrainErrors.AssertOneError(Train(data, output));
        foreach (string part in expected)
        {
            Assert.True(error.Contains(part, StringComparison.Ordinal), $"'{part}' is not in: {error}");
        }
        Assert.False(Directory.Exists(output), "a failed check created --out");
    }

    public static TheoryData<string, string[]> LabelmeCases() => new()
    {
        // Shapes are numbered from 1 in labelme's order of the file.
        { "two-point polygon", ["scene000.json: shape 3 ('wedge', polygon) has 2 point(s); a polygon needs at least 3: redraw or delete it"] },
        { "zero-area polygon", ["scene000.json: shape 3 ('wedge', polygon) has zero area (its points are on one line)"] },
        { "rectangle outside", ["scene000.json: shape 2 ('tile', rectangle) has a point at (300, 30) outside the 96x64 picture"] },
        { "picture missing", ["scene001.json: its picture 'scene001.png' is not there and imageData is empty"] },
        { "group of two labels", ["scene001.json: shapes 2, 3 share group 1 but are labelled 'tile' and 'coin'"] },
        { "unlabelled shape", ["scene000.json: shape 1 has no label; give it one in labelme"] },
        { "label not in labels.txt", ["label 'wedge' is not in", "labels.txt; add it there or correct the label"] },
        { "class without instances", ["labels.txt: class 'unicorn' has no instances in the dataset"] },
    };

    [Theory]
    [MemberData(nameof(LabelmeCases))]
    public void ABrokenLabelmeFolderGetsOneLineAndNoRunFolder(string broken, string[] expected)
    {
        using var dir = Fixtures.TempDir();
        string data = Path.Combine(dir.Path, "labelme");
        LabelmeScenes.Write(data, count: 2, seed: 1);
        void Edit(string name, Action<JsonObject> edit)
        {
            string file = Path.Combine(data, name);
            var root = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            edit(root);
            File.WriteAllText(file, root.ToJsonString());
        }
        JsonArray Points(params double[][] points) => [.. points.Select(p => (JsonNode)new JsonArray(p[0], p[1]))];
        switch (broken)
        {
            case "two-point polygon":
                Edit("scene000.json", r => r["shapes"]![2]!["points"] = Points([10, 10], [20, 20]));
                break;
            case "zero-area polygon":
                Edit("scene000.json", r => r["shapes"]![2]!["points"] = Points([10, 10], [20, 20], [30, 30]));
                break;
            case "rectangle outside":
                Edit("scene000.json", r => r["shapes"]![1]!["points"] = Points([40, 10], [300, 30]));
                break;
            case "picture missing":
                File.Delete(Path.Combine(data, "scene001.png"));
                break;
            case "group of two labels":
                Edit("scene001.json", r => r["shapes"]![2]!["label"] = "coin");
                break;
            case "unlabelled shape":
                Edit("scene000.json", r => r["shapes"]![0]!["label"] = "");
                break;
            case "label not in labels.txt":
                File.WriteAllLines(Path.Combine(data, "labels.txt"), ["__ignore__", "_background_", "coin", "tile"]);
                break;
            case "class without instances":
                File.WriteAllLines(Path.Combine(data, "labels.txt"), ["__ignore__", "_background_", "coin", "tile", "wedge", "unicorn"]);
                break;
        }
        string output = Path.Combine(dir.Path, "run");
        string error = TrainErrors.AssertOneError(Train(data, output));
        foreach (string part in expected)
        {
            Assert.True(error.Contains(part, StringComparison.Ordinal), $"'{part}' is not in: {error}");
        }
        Assert.False(Directory.Exists(output), "a failed check created --out");
    }

    [Fact]
    public void EveryProblemOfADatasetIsListedAtOnce()
    {
        using var dir = Fixtures.TempDir();
        string data = Path.Combine(dir.Path, "labelme");
        LabelmeScenes.Write(data, count: 4, seed: 1);
        foreach (string name in new[] { "scene000.json", "scene002.json" })
        {
            string file = Path.Combine(data, name);
            var root = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            root["shapes"]![0]!["label"] = "";
            File.WriteAllText(file, root.ToJsonString());
        }
        File.Delete(Path.Combine(data, "scene001.png"));
        var r = CliRunner.Run(["train", "--data", data, "--out", Path.Combine(dir.Path, "run"), "--iterations", "5"]);
        Assert.Equal(2, r.ExitCode);
        var errors = r.Stderr.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, errors.Count);
        Assert.True(errors.Any(e => e.Contains("scene000.json: shape 1 has no label", StringComparison.Ordinal)), string.Join('\n', errors));
        Assert.Contains(errors, e => e.Contains("scene001.json: its picture", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("scene002.json: shape 1 has no label", StringComparison.Ordinal));
    }

    [Fact]
    public void AFolderThatIsNotARunIsNeverWrittenInto()
    {
        using var dir = Fixtures.TempDir();
        string data = Path.Combine(dir.Path, "labelme");
        LabelmeScenes.Write(data, count: 2, seed: 1);
        string home = Path.Combine(dir.Path, "home");
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, "notes.txt"), "mine");
        string error = TrainErrors.AssertOneError(Train(data, home));
        Assert.Contains("is not empty and holds no training run; give a new or empty folder", error, StringComparison.Ordinal);
        Assert.Equal([Path.Combine(home, "notes.txt")], Directory.GetFileSystemEntries(home));
    }

    [Fact]
    public void WithoutPyTorchTheErrorGivesTheAptCommand()
    {
        using var dir = Fixtures.TempDir();
        string data = Path.Combine(dir.Path, "labelme");
        LabelmeScenes.Write(data, count: 2, seed: 1);
        // An interpreter that exists but has no torch (Python's own, without site packages), and one that does not exist.
        foreach (var (python, reason) in new[] { ("/nonexistent/python3", "does not exist"), ("/usr/bin/python3 -S", "No module named") })
        {
            string exe = python.Split(' ')[0];
            var env = new Dictionary<string, string> { ["REALTIMESEG_PYTHON"] = exe };
            if (python.EndsWith("-S", StringComparison.Ordinal))
            {
                // -S cannot be passed through REALTIMESEG_PYTHON; hide Debian's dist-packages with a wrapper instead.
                string wrapper = Path.Combine(dir.Path, "python-without-torch");
                File.WriteAllText(wrapper, "#!/bin/sh\nexec /usr/bin/python3 -S \"$@\"\n");
                CliRunner.RunProgram("chmod", ["+x", wrapper]);
                env["REALTIMESEG_PYTHON"] = wrapper;
            }
            string output = Path.Combine(dir.Path, "run");
            string error = CliRunner.AssertOneLineError(CliRunner.Run(["train", "--data", data, "--out", output], env));
            Assert.StartsWith("error: training needs P", error, StringComparison.Ordinal);
            Assert.Contains(reason, error, StringComparison.Ordinal);
            Assert.EndsWith("apt-get install -y python3-torch python3-torchvision python3-onnx python3-pil python3-numpy", error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(output));
        }
    }
}
