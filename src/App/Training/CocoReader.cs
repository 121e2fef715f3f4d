using System.Globalization;
using System.Text.Json;

namespace RealtimeSeg.App.Training;

/// <summary>
/// Reads a COCO instances file (what CVAT, Roboflow, Label Studio and <c>realtimeseg synth-dataset</c> export):
/// polygons, uncompressed and compressed RLE; iscrowd regions kept as such (ignored by training and scoring).
/// Pictures are found relative to the JSON's folder, or an images/ folder beside or above it.
/// </summary>
internal static class CocoReader
{
    private const double Tolerance = 1.0;

    /// <summary>True for a JSON file with COCO's images, annotations and categories lists.</summary>
    public static bool Recognises(string file)
    {
        using var doc = JsonFields.TryParse(file, out _);
        return doc is not null && doc.RootElement.Array("images") is not null && doc.RootElement.Array("annotations") is not null;
    }

    public static LabelledDataset Read(string file, DatasetProblems problems)
    {
        using var doc = JsonFields.TryParse(file, out string? reason);
        if (doc is null)
        {
            problems.Add($"{file} {reason}; give a COCO instances JSON");
            return new LabelledDataset("coco", [], []);
        }
        var root = doc.RootElement;
        if (root.Array("images") is not { } imageList || root.Array("annotations") is not { } annotationList || root.Array("categories") is not { } categoryList)
        {
            problems.Add($"{file} is not a COCO instances file (it needs 'images', 'annotations' and 'categories' lists); export the dataset as COCO");
            return new LabelledDataset("coco", [], []);
        }
        var categories = new SortedDictionary<int, string>();
        foreach (var c in categoryList.EnumerateArray())
        {
            if (c.Int("id") is not { } id || c.String("name") is not { Length: > 0 } name)
            {
                problems.Add($"{file}: a category without an integer 'id' and a 'name'; fix the categories list");
                continue;
            }
            if (!categories.TryAdd(id, name.Trim()))
            {
                problems.Add($"{file}: category id {id} is listed twice; give each category its own id");
            }
        }
        foreach (var dup in categories.GroupBy(c => c.Value).Where(g => g.Count() > 1))
        {
            problems.Add($"{file}: categories {string.Join(" and ", dup.Select(d => d.Key))} are both named '{dup.Key}'; merge them or rename one");
        }

        string? imageRoot = null;
        var pictures = new Dictionary<int, (string Name, string? Path, int Width, int Height)>();
        foreach (var image in imageList.EnumerateArray())
        {
            if (image.Int("id") is not { } id || image.String("file_name") is not { Length: > 0 } name ||
                image.Int("width") is not (> 0 and var w) || image.Int("height") is not (> 0 and var h))
            {
                problems.Add($"{file}: an image entry without id, file_name, width and height; fix the images list");
                continue;
            }
            if (w > RealtimeSeg.Runtime.Imaging.Frame.MaxSide || h > RealtimeSeg.Runtime.Imaging.Frame.MaxSide)
            {
                problems.Add($"{file}: image {id} declares {w}x{h} pixels, more than {RealtimeSeg.Runtime.Imaging.Frame.MaxSide} a side; fix its width and height");
                continue;
            }
            imageRoot ??= FindImageRoot(file, name);
            string? path = imageRoot is null ? null : Path.Combine(imageRoot, name.Replace('\\', '/'));
            if (!pictures.TryAdd(id, (name, path, w, h)))
            {
                problems.Add($"{file}: image id {id} is listed twice; give each image its own id");
            }
        }

        var canvas = new MaskCanvas();
        var objects = pictures.Keys.ToDictionary(id => id, _ => new List<LabelledObject>());
        var counts = new List<int>();
        foreach (var a in annotationList.EnumerateArray())
        {
            string where = a.Int("id") is { } aid ? $"annotation {aid.ToString(CultureInfo.InvariantCulture)}" : "an annotation without id";
            if (a.Int("image_id") is not { } imageId || !pictures.TryGetValue(imageId, out var picture))
            {
                problems.Add($"{file}: {where} refers to image {a.Field("image_id")?.ToString() ?? "(none)"}, which is not in 'images'; fix or remove it");
                continue;
            }
            if (a.Int("category_id") is not { } categoryId || !categories.TryGetValue(categoryId, out string? className))
            {
                problems.Add($"{file}: {where} (image {picture.Name}) has category {a.Field("category_id")?.ToString() ?? "(none)"}, which is not in 'categories'; fix or remove it");
                continue;
            }
            where = $"{where} (image {picture.Name}, '{className}')";
            canvas.Start(picture.Width, picture.Height);
            if (!Draw(file, where, a.Field("segmentation"), canvas, counts, problems))
            {
                continue;
            }
            var mask = canvas.Finish();
            if (mask.Bounds.IsEmpty)
            {
                problems.Add($"{file}: {where} covers no pixel; draw it larger or delete it");
                continue;
            }
            objects[imageId].Add(new LabelledObject(className, mask, a.Int("iscrowd") is 1, where));
        }

        var images = new List<LabelledImage>();
        foreach (var (id, picture) in pictures)
        {
            if (picture.Path is null)
            {
                problems.Add($"{file}: picture {picture.Name} not found beside it or in an images/ folder near it; put the pictures where the file_name points");
                continue;
            }
            images.Add(new LabelledImage(file, new ImageSource(picture.Path, null), picture.Width, picture.Height, objects[id]));
        }
        return new LabelledDataset("coco", [.. categories.Values], images);
    }

    /// <summary>The folder the file_names are relative to: the JSON's, or images/ beside or above it (CVAT, synth-dataset).</summary>
    private static string? FindImageRoot(string file, string firstName)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        string? parent = Path.GetDirectoryName(dir);
        string[] candidates = [dir, Path.Combine(dir, "images"), .. parent is null ? Array.Empty<string>() : [Path.Combine(parent, "images"), parent]];
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, firstName.Replace('\\', '/'))));
    }

    private static bool Draw(string file, string where, JsonElement? segmentation, MaskCanvas canvas, List<int> counts, DatasetProblems problems)
    {
        switch (segmentation)
        {
            case { ValueKind: JsonValueKind.Array } polygons when polygons.GetArrayLength() > 0:
                foreach (var polygon in polygons.EnumerateArray())
                {
                    if (polygon.Numbers() is not { } xy || xy.Length % 2 != 0)
                    {
                        problems.Add($"{file}: {where} has a polygon that is not a flat list of x,y numbers; fix the export");
                        return false;
                    }
                    if (xy.Length < 6)
                    {
                        problems.Add($"{file}: {where} has a polygon of {xy.Length / 2} point(s); a polygon needs at least 3: fix or delete it");
                        return false;
                    }
                    for (int i = 0; i < xy.Length; i += 2)
                    {
                        if (xy[i] < -Tolerance || xy[i] > canvas.Width + Tolerance || xy[i + 1] < -Tolerance || xy[i + 1] > canvas.Height + Tolerance)
                        {
                            problems.Add(string.Create(CultureInfo.InvariantCulture,
                                $"{file}: {where} has a point at ({xy[i]:0.#}, {xy[i + 1]:0.#}) outside the {canvas.Width}x{canvas.Height} picture; fix the annotation or the image's width and height"));
                            return false;
                        }
                    }
                    canvas.FillPolygon(xy);
                }
                return true;
            case { ValueKind: JsonValueKind.Object } rle:
                if (rle.Array("size")?.Numbers() is not { Length: 2 } size || size[0] != canvas.Height || size[1] != canvas.Width)
                {
                    problems.Add($"{file}: {where} has an RLE mask whose size is not the image's [{canvas.Height}, {canvas.Width}]; fix the export");
                    return false;
                }
                counts.Clear();
                bool ok = rle.Field("counts") switch
                {
                    { ValueKind: JsonValueKind.String } s => CompressedRle.TryDecode(s.GetString()!, counts),
                    { ValueKind: JsonValueKind.Array } list => list.Numbers() is { } values && AddAll(values, counts),
                    _ => false,
                };
                if (!ok || !canvas.PaintRuns(counts))
                {
                    problems.Add($"{file}: {where} has RLE counts that are not a valid mask of {canvas.Width}x{canvas.Height}; fix the export");
                    return false;
                }
                return true;
            default:
                problems.Add($"{file}: {where} has no segmentation (a box only?); Mask R-CNN trains on masks: export polygons or masks");
                return false;
        }
    }

    private static bool AddAll(double[] values, List<int> counts)
    {
        foreach (double v in values)
        {
            if (v < 0 || v > int.MaxValue || v != Math.Floor(v))
            {
                return false;
            }
            counts.Add((int)v);
        }
        return true;
    }
}

/// <summary>pycocotools' compressed RLE string: each count in 5-bit groups (+48), later counts as differences from two back.</summary>
internal static class CompressedRle
{
    public static bool TryDecode(string text, List<int> counts)
    {
        int p = 0;
        while (p < text.Length)
        {
            long x = 0;
            int k = 0;
            bool more = true;
            while (more)
            {
                if (p >= text.Length || k > 12)
                {
                    return false;
                }
                int c = text[p] - 48;
                if (c is < 0 or > 63)
                {
                    return false;
                }
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0)
                {
                    x |= -1L << (5 * k);
                }
            }
            if (counts.Count > 2)
            {
                x += counts[^2];
            }
            if (x is < 0 or > int.MaxValue)
            {
                return false;
            }
            counts.Add((int)x);
        }
        return true;
    }
}
