using System.Text.Json;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests;

/// <summary>Paths of the committed fixtures (made by tools/make_fixtures.py) and readers for them.</summary>
internal static class Fixtures
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Dir => Path.Combine(RepoRoot, "tests", "fixtures");

    public static string Model(string name) => Path.Combine(Dir, "models", name);

    public static string MaskRcnn => Model("tiny_maskrcnn.onnx");

    public static string MaskRcnnRaw => Model("tiny_maskrcnn_raw.onnx");

    public static string MaskRcnnZoo => Model("tiny_maskrcnn_zoo.onnx");

    public static string FasterRcnn => Model("tiny_fasterrcnn.onnx");

    public static string NotADetector => Model("not_a_detector.onnx");

    public static readonly string[] Scenes = ["scene0", "scene1", "scene2", "scene3"];

    /// <summary>The shipped demo model (raw masks) and its pasted-mask twin.</summary>
    public static string DemoModel => Path.Combine(RepoRoot, "models", "shapes_maskrcnn.onnx");

    public static string DemoModelPasted => Path.Combine(RepoRoot, "models", "shapes_maskrcnn_pasted.onnx");

    public static string DemoDir => Path.Combine(Dir, "demo");

    public static Frame Frame(string name) => Ppm.Read(Path.Combine(Dir, "frames", name + ".ppm"));

    public static Reference LoadReference(string name) => LoadReferenceFile(Path.Combine(Dir, "reference", name + ".json"));

    public static Reference LoadReferenceFile(string path) =>
        JsonSerializer.Deserialize<Reference>(File.ReadAllText(path),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;

    /// <summary>Opens a fixture model on the CPU, warm-up on, at the fixtures' own size unless told otherwise.</summary>
    public static SegmentationModel Open(string path, ModelOptions? options = null) =>
        SegmentationModel.Open(path, new InferenceOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 2 }, options);

    /// <summary>A scratch folder removed at dispose.</summary>
    public static TempDir TempDir() => new();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RealtimeSeg.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("RealtimeSeg.sln not found above " + AppContext.BaseDirectory);
    }
}

internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "realtimeseg-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class Reference
{
    public string Frame { get; set; } = "";
    public int Width { get; set; }
    public int Height { get; set; }
    public ReferenceDetections Maskrcnn { get; set; } = new();
    public ReferenceDetections Fasterrcnn { get; set; } = new();
}

public sealed class ReferenceDetections
{
    public List<float[]> Boxes { get; set; } = [];
    public List<int> Labels { get; set; } = [];
    public List<float> Scores { get; set; } = [];
    public List<int[]> MasksRle { get; set; } = [];
    public List<float[]> RawMasks { get; set; } = [];

    public BoxF Box(int i) => new(Boxes[i][0], Boxes[i][1], Boxes[i][2], Boxes[i][3]);

    /// <summary>Decodes mask <paramref name="i"/> (row-major runs, starting with zeros) into a frame-size bitmap.</summary>
    public MaskBitmap Mask(int i, int width, int height)
    {
        var bitmap = new MaskBitmap();
        var data = bitmap.Reset(new PixelRect(0, 0, width, height));
        int pos = 0;
        byte value = 0;
        foreach (int run in MasksRle[i])
        {
            data.Slice(pos, run).Fill(value);
            pos += run;
            value ^= 1;
        }
        return bitmap;
    }
}
