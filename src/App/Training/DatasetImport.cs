using System.Security.Cryptography;
using System.Text.Json;
using RealtimeSeg.App.Commands;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.App.Training;

/// <summary>A dataset read, checked and split, ready to be written in the layout the trainer and <c>evaluate</c> read.</summary>
internal sealed record DatasetPlan(
    string Format, IReadOnlyList<string> Classes, IReadOnlyList<LabelledImage> Train, IReadOnlyList<LabelledImage> Val,
    bool SplitGiven, IReadOnlyDictionary<PictureConversion, int> Conversions, (int MinW, int MinH, int MaxW, int MaxH) Sizes)
{
    public int Negatives => Train.Count(i => i.Objects.Count == 0);

    public int Objects(IReadOnlyList<LabelledImage> split) => split.Sum(i => i.Objects.Count(o => !o.IsCrowd));
}

/// <summary>
/// Turns a user's dataset (labelme folder, COCO file or COCO dataset folder) into RealtimeSeg's normalised layout:
/// images/{train,val}/NNNNNN.png (RGB) and annotations/instances_{train,val}.json (uncompressed RLE, category ids
/// 1..K in class order), the layout of <c>synth-dataset</c>, so the trainer reads one format and <c>evaluate</c>
/// scores the val split as written. Everything is checked before anything is written; the folder is written
/// beside its final name and renamed into place, so a failure never leaves half a dataset.
/// </summary>
internal static class DatasetImport
{
    public const string FingerprintFile = "fingerprint.txt";

    /// <summary>Reads and checks everything; throws <see cref="DatasetProblemsException"/> with every problem found.</summary>
    public static DatasetPlan Check(string data, string? valData, double valFraction, int seed)
    {
        var problems = new DatasetProblems();
        var (train, given) = Open(data, problems, "--data");
        LabelledDataset? val = given;
        if (valData is not null)
        {
            (val, _) = Open(valData, problems, "--val-data");
        }
        problems.ThrowIfAny();
        var conversions = new Dictionary<PictureConversion, int>();
        var sizes = (MinW: int.MaxValue, MinH: int.MaxValue, MaxW: 0, MaxH: 0);
        var progress = new Progress("check", train.Images.Count + (val?.Images.Count ?? 0));
        int done = 0;
        foreach (var image in train.Images.Concat(val?.Images ?? []))
        {
            CheckPicture(image, problems, conversions, ref sizes);
            progress.Report(++done);
        }
        var classes = train.Classes;
        if (val is not null)
        {
            foreach (string name in val.Classes.Except(classes))
            {
                problems.Add($"{valData ?? data}: the val split's class '{name}' is not among the training classes ({string.Join(", ", classes)}); use one set of classes");
            }
        }
        var byImage = train.Images.SelectMany(i => i.Objects).Concat(val?.Images.SelectMany(i => i.Objects) ?? []).Select(o => o.ClassName).ToHashSet();
        foreach (string name in classes.Where(c => !byImage.Contains(c)))
        {
            problems.Add($"{data}: class '{name}' has no instances in the dataset; label some or remove it from the categories");
        }
        if (classes.Count == 0 && problems.Count == 0)
        {
            problems.Add($"{data}: no labelled objects at all; label some objects first");
        }
        problems.ThrowIfAny();

        IReadOnlyList<LabelledImage> trainImages = train.Images, valImages = val?.Images ?? [];
        if (val is null)
        {
            (trainImages, valImages) = Split(train.Images, valFraction, seed);
        }
        if (trainImages.Count == 0)
        {
            throw new RealtimeSegException($"--val-fraction {valFraction} leaves no training image out of {train.Images.Count}; lower it");
        }
        return new DatasetPlan(train.Format, classes, trainImages, valImages, val is not null, conversions, sizes);
    }

    /// <summary>Finds what <paramref name="path"/> holds; a COCO dataset folder with a val split returns that split too.</summary>
    private static (LabelledDataset Train, LabelledDataset? Val) Open(string path, DatasetProblems problems, string option)
    {
        if (File.Exists(path))
        {
            if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                throw new RealtimeSegException($"{option} {path} is not a .json file or a folder; give a labelme folder, a COCO .json or a COCO dataset folder");
            }
            return (CocoReader.Read(path, problems), null);
        }
        if (!Directory.Exists(path))
        {
            throw new RealtimeSegException($"{option} {path} does not exist; give a labelme folder, a COCO .json or a COCO dataset folder");
        }
        string annotations = Path.Combine(path, "annotations");
        string trainJson = Path.Combine(annotations, "instances_train.json"), valJson = Path.Combine(annotations, "instances_val.json");
        if (File.Exists(trainJson))
        {
            var train = CocoReader.Read(trainJson, problems);
            return (train, File.Exists(valJson) ? CocoReader.Read(valJson, problems) : null);
        }
        var cocoFiles = (Directory.Exists(annotations) ? Directory.GetFiles(annotations, "*.json") : [])
            .Concat(Directory.GetFiles(path, "*.json")).Where(CocoReader.Recognises).ToList();
        if (cocoFiles.Count == 1)
        {
            return (CocoReader.Read(cocoFiles[0], problems), null);
        }
        if (cocoFiles.Count > 1)
        {
            throw new RealtimeSegException($"{option} {path} holds {cocoFiles.Count} COCO files ({string.Join(", ", cocoFiles.Select(Path.GetFileName))}); give one of them as {option} (and the val one as --val-data)");
        }
        if (LabelmeReader.Recognises(path))
        {
            return (LabelmeReader.Read(path, problems), null);
        }
        throw new RealtimeSegException($"{option} {path} holds neither labelme JSON files nor a COCO annotations file; give a labelme folder, a COCO .json or a folder with annotations/instances_train.json");
    }

    private static void CheckPicture(LabelledImage image, DatasetProblems problems, Dictionary<PictureConversion, int> conversions,
        ref (int MinW, int MinH, int MaxW, int MaxH) sizes)
    {
        try
        {
            var (frame, conversion) = PictureReader.Read(image.Image);
            using (frame)
            {
                if (frame.Width != image.Width || frame.Height != image.Height)
                {
                    problems.Add($"{image.Annotation}: it says {image.Width}x{image.Height}, but {image.Image.Name} is {frame.Width}x{frame.Height}; " +
                        "annotate the picture as it is (labelme: open it again; COCO: fix width and height)");
                    return;
                }
            }
            conversions[conversion] = conversions.GetValueOrDefault(conversion) + 1;
            sizes = (Math.Min(sizes.MinW, image.Width), Math.Min(sizes.MinH, image.Height), Math.Max(sizes.MaxW, image.Width), Math.Max(sizes.MaxH, image.Height));
        }
        catch (RealtimeSegException e)
        {
            problems.Add($"{image.Annotation}: {e.Message}");
        }
    }

    /// <summary>A seeded split: the same seed and dataset always give the same val images.</summary>
    private static (IReadOnlyList<LabelledImage> Train, IReadOnlyList<LabelledImage> Val) Split(IReadOnlyList<LabelledImage> images, double fraction, int seed)
    {
        int valCount = fraction <= 0 || images.Count < 2 ? 0 : Math.Clamp((int)Math.Round(images.Count * fraction), 1, images.Count - 1);
        var order = Enumerable.Range(0, images.Count).ToArray();
        new Random(seed).Shuffle(order);
        var val = order.Take(valCount).Order().Select(i => images[i]).ToList();
        var train = order.Skip(valCount).Order().Select(i => images[i]).ToList();
        return (train, val);
    }

    /// <summary>
    /// Writes the plan to <paramref name="destination"/> unless the same dataset is there already (a resumed run);
    /// throws when another dataset is there (its run would mix two datasets).
    /// </summary>
    public static void Write(DatasetPlan plan, string destination)
    {
        var splits = new[] { ("train", plan.Train), ("val", plan.Val) };
        var json = splits.ToDictionary(s => s.Item1, s => AnnotationJson(plan.Classes, s.Item1, s.Item2));
        string fingerprint = Fingerprint(plan, json);
        string existing = Path.Combine(destination, FingerprintFile);
        if (Directory.Exists(destination))
        {
            if (File.Exists(existing) && File.ReadAllText(existing).Trim() == fingerprint)
            {
                return;
            }
            throw new RealtimeSegException($"{destination} holds another dataset than --data (its pictures or annotations changed since that run); give a new --out");
        }
        string staging = destination + ".partial";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
        var progress = new Progress("import", plan.Train.Count + plan.Val.Count);
        int done = 0;
        foreach (var (split, images) in splits)
        {
            string dir = Path.Combine(staging, "images", split);
            Directory.CreateDirectory(dir);
            for (int i = 0; i < images.Count; i++)
            {
                WritePicture(images[i].Image, Path.Combine(dir, FileName(i)));
                progress.Report(++done);
            }
            Directory.CreateDirectory(Path.Combine(staging, "annotations"));
            File.WriteAllBytes(Path.Combine(staging, "annotations", $"instances_{split}.json"), json[split]);
        }
        File.WriteAllText(Path.Combine(staging, FingerprintFile), fingerprint + "\n");
        Directory.Move(staging, destination);
    }

    private static string FileName(int index) => $"{index:D6}.png";

    private static void WritePicture(ImageSource source, string path)
    {
        byte[] bytes = PictureReader.ReadBytes(source);
        if (PictureReader.IsPlainRgbPng(bytes))
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        var (frame, _) = PictureReader.Read(source);
        using (frame)
        {
            Png.Write(path, frame);
        }
    }

    private static byte[] AnnotationJson(IReadOnlyList<string> classes, string split, IReadOnlyList<LabelledImage> images)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("categories");
            for (int c = 0; c < classes.Count; c++)
            {
                w.WriteStartObject();
                w.WriteNumber("id", c + 1);
                w.WriteString("name", classes[c]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("images");
            for (int i = 0; i < images.Count; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("id", i + 1);
                w.WriteString("file_name", $"{split}/{FileName(i)}");
                w.WriteNumber("width", images[i].Width);
                w.WriteNumber("height", images[i].Height);
                w.WriteString("source", images[i].Image.Path ?? images[i].Annotation);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("annotations");
            int id = 0;
            var runs = new List<int>();
            for (int i = 0; i < images.Count; i++)
            {
                foreach (var o in images[i].Objects)
                {
                    var b = o.Mask.Bounds;
                    w.WriteStartObject();
                    w.WriteNumber("id", ++id);
                    w.WriteNumber("image_id", i + 1);
                    w.WriteNumber("category_id", IndexOf(classes, o.ClassName) + 1);
                    w.WriteStartArray("bbox");
                    w.WriteNumberValue(b.X0);
                    w.WriteNumberValue(b.Y0);
                    w.WriteNumberValue(b.Width);
                    w.WriteNumberValue(b.Height);
                    w.WriteEndArray();
                    w.WriteNumber("area", o.Mask.PixelCount);
                    w.WriteNumber("iscrowd", o.IsCrowd ? 1 : 0);
                    w.WriteStartObject("segmentation");
                    w.WriteStartArray("size");
                    w.WriteNumberValue(images[i].Height);
                    w.WriteNumberValue(images[i].Width);
                    w.WriteEndArray();
                    w.WriteStartArray("counts");
                    foreach (int run in MaskRle.Encode(o.Mask, images[i].Width, images[i].Height, runs))
                    {
                        w.WriteNumberValue(run);
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                    w.WriteString("source", o.Where);
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static int IndexOf(IReadOnlyList<string> classes, string name)
    {
        for (int i = 0; i < classes.Count; i++)
        {
            if (classes[i] == name)
            {
                return i;
            }
        }
        throw new InvalidOperationException($"class '{name}' is not in the class list");
    }

    /// <summary>The annotations as written plus each picture's path, size and time: what decides whether a run may resume on it.</summary>
    private static string Fingerprint(DatasetPlan plan, Dictionary<string, byte[]> json)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var bytes in json.Values)
        {
            hash.AppendData(bytes);
        }
        foreach (var image in plan.Train.Concat(plan.Val))
        {
            if (image.Image.Path is { } p && new FileInfo(p) is { Exists: true } f)
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{p}|{f.Length}|{f.LastWriteTimeUtc.Ticks}\n"));
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
