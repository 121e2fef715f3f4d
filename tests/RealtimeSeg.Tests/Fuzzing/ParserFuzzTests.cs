using System.Text;
using RealtimeSeg.App.Training;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Ffmpeg;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Structures;
using Xunit.Abstractions;

namespace RealtimeSeg.Tests.Fuzzing;

/// <summary>
/// Everything we parse from outside, fuzzed (<see cref="Fuzzer"/>): FFmpeg's PAM and Y4M frame streams, labels
/// files and labels JSON, a model's metadata, COCO and labelme annotations. No crash, no hang, no unbounded
/// allocation; every rejection is the parser's documented error with one line.
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    private void Check(FuzzReport report)
    {
        output.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, report.ToString());
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Pam(int width, int height, int frames)
    {
        var bytes = new List<byte>();
        for (int f = 0; f < frames; f++)
        {
            bytes.AddRange(Ascii($"P7\nWIDTH {width}\nHEIGHT {height}\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n"));
            bytes.AddRange(Enumerable.Range(0, width * height * 3).Select(i => (byte)(i * 7 + f)));
        }
        return [.. bytes];
    }

    private static byte[] Y4m(int width, int height, int frames, string extra = "")
    {
        var bytes = new List<byte>(Ascii($"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg XYSCSS=420JPEG{extra}\n"));
        for (int f = 0; f < frames; f++)
        {
            bytes.AddRange(Ascii("FRAME\n"));
            bytes.AddRange(Enumerable.Range(0, width * height * 3 / 2).Select(i => (byte)(i * 5 + f)));
        }
        return [.. bytes];
    }

    /// <summary>Reads a whole frame stream as the capture loop does: frame after frame until the end, each returned to the pool.</summary>
    private static void ReadAll(IPipeReader reader)
    {
        using var pool = new FramePool();
        for (int i = 0; i < 64; i++)
        {
            using var frame = reader.Read(pool);
            if (frame is null)
            {
                return;
            }
        }
    }

    [Fact]
    public void PamFrameStreams() => Check(Fuzzer.RunBytes("pam", [Pam(4, 3, 2), Pam(1, 1, 1), Pam(7, 5, 3)],
        bytes => ReadAll(new PamReader(new MemoryStream(bytes))), e => e is CaptureException, ciSeconds: 3));

    [Fact]
    public void Y4mFrameStreams() => Check(Fuzzer.RunBytes("y4m", [Y4m(4, 4, 2), Y4m(2, 2, 1, " XCOLORRANGE=FULL"), Y4m(8, 6, 3)],
        bytes => ReadAll(new Y4mReader(new MemoryStream(bytes), YuvMatrix.Bt601)), e => e is CaptureException, ciSeconds: 3));

    [Fact]
    public void LabelsFilesAndLabelsJson()
    {
        using var dir = Fixtures.TempDir();
        string path = dir.File("labels.txt");
        Check(Fuzzer.RunBytes("labels-file", [Ascii("background\ncircle\nsquare\n"), Ascii("__background__\r\nperson\r\nbicycle\r\n"), File.ReadAllBytes(Path.ChangeExtension(Fixtures.DemoModel, ".labels.txt"))],
            bytes =>
            {
                File.WriteAllBytes(path, bytes);
                LabelMap.FromFile(path);
            }, e => e is ModelLoadException, ciSeconds: 2));
        Check(Fuzzer.RunBytes("labels-json", [Ascii("[\"background\",\"circle\",\"square\"]"), Ascii("null"), Ascii("[\"__background__\", \"a\\u00e9\"]")],
            bytes => LabelMap.FromJson(Encoding.UTF8.GetString(bytes), "model metadata"), e => e is ModelLoadException, ciSeconds: 2));
    }

    [Fact]
    public void ModelMetadata()
    {
        // The demo model's real inputs, outputs and metadata; the fuzzer mutates the metadata's values (what a
        // third-party export writes there) and reads them as SegmentationModel.Open does.
        using var model = Fixtures.Open(Fixtures.DemoModel);
        var session = OrtSession.Open(Fixtures.DemoModel, InferenceOptions.Default with { Provider = ExecutionProvider.Cpu });
        using (session)
        {
            var keys = session.Metadata.Keys.Order(StringComparer.Ordinal).ToArray();
            Assert.Contains(SegmentationModel.LabelsKey, keys);
            // One input per key, its value the bytes mutated: every other key keeps the model's own value.
            var corpus = keys.Select(k => Encoding.UTF8.GetBytes($"{k}={session.Metadata[k]}")).ToList();
            corpus.Add(Encoding.UTF8.GetBytes($"{SegmentationModel.MinSizeKey}=240"));
            corpus.Add(Encoding.UTF8.GetBytes($"{SegmentationModel.MaxSizeKey}=320"));
            corpus.Add(Encoding.UTF8.GetBytes($"{ModelLayout.ContractKey}=torchvision-raw"));
            Check(Fuzzer.RunBytes("onnx-metadata", corpus, bytes =>
            {
                string entry = Encoding.UTF8.GetString(bytes);
                int split = entry.IndexOf('=', StringComparison.Ordinal);
                var metadata = new Dictionary<string, string>(session.Metadata, StringComparer.Ordinal);
                if (split > 0)
                {
                    metadata[entry[..split]] = entry[(split + 1)..];
                }
                ModelLayout.Detect("model.onnx", session.Inputs, session.Outputs, metadata, null);
                SegmentationModel.LoadLabels("/nonexistent/model.onnx", null, metadata);
                SegmentationModel.InputSize(metadata, new ModelOptions());
                SegmentationModel.InputSize(metadata, new ModelOptions { Size = 480 });
            }, e => e is ModelLoadException, ciSeconds: 3));
        }
    }

    private static string CocoJson() => """
        {"images": [{"id": 1, "file_name": "a.png", "width": 32, "height": 24}, {"id": 2, "file_name": "b.png", "width": 32, "height": 24}],
         "categories": [{"id": 1, "name": "circle"}, {"id": 2, "name": "square"}],
         "annotations": [
           {"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0, "bbox": [2, 2, 10, 10], "area": 100, "segmentation": [[2, 2, 12, 2, 12, 12, 2, 12]]},
           {"id": 2, "image_id": 2, "category_id": 2, "iscrowd": 0, "bbox": [0, 0, 4, 4], "area": 16, "segmentation": {"size": [24, 32], "counts": [0, 4, 20, 4, 20, 4, 20, 4, 692]}},
           {"id": 3, "image_id": 2, "category_id": 1, "iscrowd": 1, "bbox": [10, 10, 4, 4], "area": 16, "segmentation": {"size": [24, 32], "counts": "PP>0"}}]}
        """;

    private static string LabelmeJson() => """
        {"version": "5.2.1", "flags": {}, "imagePath": "a.png", "imageData": null, "imageHeight": 24, "imageWidth": 32,
         "shapes": [
           {"label": "circle", "points": [[16, 12], [20, 12]], "group_id": null, "shape_type": "circle", "flags": {}},
           {"label": "square", "points": [[2, 2], [10, 8]], "group_id": 3, "shape_type": "rectangle", "flags": {}},
           {"label": "square", "points": [[12, 2], [20, 2], [20, 8]], "group_id": 3, "shape_type": "polygon", "flags": {}}]}
        """;

    private static void WritePictures(string folder)
    {
        foreach (string name in new[] { "a.png", "b.png" })
        {
            using var frame = Frame.Allocate(32, 24, PixelFormat.Rgb24);
            frame.Pixels.Fill(90);
            Png.WriteAtomically(Path.Combine(folder, name), frame);
        }
    }

    /// <summary>Every problem a reader reports is one line; the reader itself never throws.</summary>
    private static void ReadDataset(Func<DatasetProblems, LabelledDataset> read)
    {
        var problems = new DatasetProblems();
        read(problems);
        if (problems.Lines.FirstOrDefault(l => l.Length == 0 || l.Contains('\n', StringComparison.Ordinal)) is { } bad)
        {
            throw new InvalidOperationException($"a problem that is not one line: '{bad}'");
        }
    }

    [Fact]
    public void CocoAnnotations()
    {
        using var dir = Fixtures.TempDir();
        WritePictures(dir.Path);
        string file = dir.File("instances.json");
        Check(Fuzzer.RunBytes("coco-json", [Encoding.UTF8.GetBytes(CocoJson())], bytes =>
        {
            File.WriteAllBytes(file, bytes);
            ReadDataset(problems => CocoReader.Read(file, problems));
        }, _ => false, ciSeconds: 4));
    }

    [Fact]
    public void LabelmeAnnotations()
    {
        using var dir = Fixtures.TempDir();
        WritePictures(dir.Path);
        string file = dir.File("a.json");
        Check(Fuzzer.RunBytes("labelme-json", [Encoding.UTF8.GetBytes(LabelmeJson())], bytes =>
        {
            File.WriteAllBytes(file, bytes);
            ReadDataset(problems => LabelmeReader.Read(dir.Path, problems));
        }, _ => false, ciSeconds: 4));
    }
}
