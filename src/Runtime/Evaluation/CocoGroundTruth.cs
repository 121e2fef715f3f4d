using System.Text.Json;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Evaluation;

/// <summary>One annotated object of a COCO split (mask decoded and cropped to its box).</summary>
internal sealed record GroundTruthObject(int ImageId, int CategoryId, BoxF Box, MaskBitmap Mask, bool IsCrowd);

internal sealed record CocoImage(int Id, string FileName, int Width, int Height);

/// <summary>A COCO instance-segmentation split with uncompressed RLE masks (as <c>synth-dataset</c> writes it).</summary>
internal sealed class CocoGroundTruth
{
    private CocoGroundTruth(string imageRoot, List<CocoImage> images, Dictionary<int, string> categories, List<GroundTruthObject> objects)
    {
        ImageRoot = imageRoot;
        Images = images;
        Categories = categories;
        Objects = objects;
    }

    public string ImageRoot { get; }

    public IReadOnlyList<CocoImage> Images { get; }

    public IReadOnlyDictionary<int, string> Categories { get; }

    public IReadOnlyList<GroundTruthObject> Objects { get; }

    /// <summary>A split built in memory (tests, or callers with their own annotations).</summary>
    public static CocoGroundTruth Create(IEnumerable<CocoImage> images, IReadOnlyDictionary<int, string> categories, IEnumerable<GroundTruthObject> objects) =>
        new("", [.. images], new Dictionary<int, string>(categories), [.. objects]);

    public string ImagePath(CocoImage image) => Path.Combine(ImageRoot, image.FileName);

    /// <summary>The first <paramref name="count"/> images and their objects (for quick evaluations).</summary>
    public CocoGroundTruth Take(int count)
    {
        if (count >= Images.Count)
        {
            return this;
        }
        var images = Images.Take(count).ToList();
        var ids = images.Select(i => i.Id).ToHashSet();
        return new CocoGroundTruth(ImageRoot, images, new Dictionary<int, string>(Categories), Objects.Where(o => ids.Contains(o.ImageId)).ToList());
    }

    public static CocoGroundTruth Load(string root, string split)
    {
        string path = Path.Combine(root, "annotations", $"instances_{split}.json");
        if (!File.Exists(path))
        {
            throw new RealtimeSegException($"{path} not found; --data must be a folder written by realtimeseg synth-dataset (with the '{split}' split)");
        }
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root0 = doc.RootElement;
        var images = root0.GetProperty("images").EnumerateArray()
            .Select(i => new CocoImage(i.GetProperty("id").GetInt32(), i.GetProperty("file_name").GetString()!,
                i.GetProperty("width").GetInt32(), i.GetProperty("height").GetInt32()))
            .ToList();
        var byId = images.ToDictionary(i => i.Id);
        var categories = root0.GetProperty("categories").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetInt32(), c => c.GetProperty("name").GetString()!);
        var objects = new List<GroundTruthObject>();
        var full = new MaskBitmap();
        foreach (var a in root0.GetProperty("annotations").EnumerateArray())
        {
            int imageId = a.GetProperty("image_id").GetInt32();
            var image = byId[imageId];
            var segmentation = a.GetProperty("segmentation");
            if (segmentation.ValueKind != JsonValueKind.Object || segmentation.GetProperty("counts").ValueKind != JsonValueKind.Array)
            {
                throw new RealtimeSegException($"{path}: annotation {a.GetProperty("id")} is not uncompressed RLE; only that form is read here");
            }
            var counts = segmentation.GetProperty("counts").EnumerateArray().Select(c => c.GetInt32()).ToList();
            MaskRle.Decode(counts, image.Width, image.Height, full);
            var bbox = a.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var box = BoxF.FromXywh(bbox[0], bbox[1], bbox[2], bbox[3]);
            objects.Add(new GroundTruthObject(imageId, a.GetProperty("category_id").GetInt32(), box, Crop(full, box, image),
                a.GetProperty("iscrowd").GetInt32() != 0));
        }
        return new CocoGroundTruth(Path.Combine(root, "images"), images, categories, objects);
    }

    private static MaskBitmap Crop(MaskBitmap full, BoxF box, CocoImage image)
    {
        var bounds = new PixelRect(Math.Max(0, (int)box.X1), Math.Max(0, (int)box.Y1),
            Math.Min(image.Width, (int)Math.Ceiling(box.X2)), Math.Min(image.Height, (int)Math.Ceiling(box.Y2)));
        var cropped = new MaskBitmap();
        var data = cropped.Reset(bounds);
        for (int y = bounds.Y0; y < bounds.Y1; y++)
        {
            for (int x = bounds.X0; x < bounds.X1; x++)
            {
                data[(y - bounds.Y0) * bounds.Width + x - bounds.X0] = full[x, y] ? (byte)1 : (byte)0;
            }
        }
        return cropped;
    }
}
