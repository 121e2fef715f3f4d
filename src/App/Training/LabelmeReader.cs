using System.Globalization;
using System.Text.Json;
using SkiaSharp;

namespace RealtimeSeg.App.Training;

/// <summary>
/// Reads a labelme folder: one JSON per picture (searched in subfolders too) with its shapes (polygon, rectangle,
/// circle, mask), <c>group_id</c> joining the parts of one object, the picture embedded (imageData) or beside it
/// (imagePath). Classes come from an optional <c>labels.txt</c> (labelme's own convention: one name a line,
/// <c>__ignore__</c> and <c>_background_</c> skipped), else from the labels used, sorted.
/// </summary>
internal static class LabelmeReader
{
    /// <summary>Points may stray this far outside the picture (a click on its border); they are clipped.</summary>
    private const double Tolerance = 1.0;

    /// <summary>True when <paramref name="folder"/> holds at least one JSON file with labelme's "shapes".</summary>
    public static bool Recognises(string folder)
    {
        foreach (string file in AnnotationFiles(folder).Take(20))
        {
            using var doc = JsonFields.TryParse(file, out _);
            if (doc?.RootElement.Array("shapes") is not null)
            {
                return true;
            }
        }
        return false;
    }

    public static LabelledDataset Read(string folder, DatasetProblems problems)
    {
        var canvas = new MaskCanvas();
        var images = new List<LabelledImage>();
        foreach (string file in AnnotationFiles(folder))
        {
            using var doc = JsonFields.TryParse(file, out string? reason);
            if (doc is null)
            {
                problems.Add($"{file} {reason}; fix or remove it");
                continue;
            }
            if (ReadOne(file, doc.RootElement, canvas, problems) is { } image)
            {
                images.Add(image);
            }
        }
        if (images.Count == 0 && problems.Count == 0)
        {
            problems.Add($"--data {folder}: no labelme JSON files found; save annotations with labelme into that folder");
        }
        var used = images.SelectMany(i => i.Objects).Select(o => o.ClassName).ToHashSet(StringComparer.Ordinal);
        string labels = Path.Combine(folder, "labels.txt");
        if (!File.Exists(labels))
        {
            return new LabelledDataset("labelme", [.. used.Order(StringComparer.Ordinal)], images);
        }
        var classes = File.ReadAllLines(labels).Select(l => l.Trim())
            .Where(l => l.Length > 0 && l is not ("__ignore__" or "_background_" or "background")).Distinct().ToList();
        foreach (string name in used.Where(u => !classes.Contains(u)).Order(StringComparer.Ordinal))
        {
            var first = images.First(i => i.Objects.Any(o => o.ClassName == name));
            problems.Add($"{first.Annotation}: label '{name}' is not in {labels}; add it there or correct the label");
        }
        foreach (string name in classes.Where(c => !used.Contains(c)))
        {
            problems.Add($"{labels}: class '{name}' has no instances in the dataset; label some or remove it from {Path.GetFileName(labels)}");
        }
        return new LabelledDataset("labelme", classes, images);
    }

    private static IEnumerable<string> AnnotationFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    private static LabelledImage? ReadOne(string file, JsonElement root, MaskCanvas canvas, DatasetProblems problems)
    {
        if (root.Array("shapes") is not { } shapes)
        {
            problems.Add($"{file} is not a labelme file (no 'shapes' list); remove it from the labelme folder");
            return null;
        }
        if (root.Int("imageWidth") is not (> 0 and var width) || root.Int("imageHeight") is not (> 0 and var height))
        {
            problems.Add($"{file} has no imageWidth/imageHeight; open and save it again in labelme");
            return null;
        }
        if (width > RealtimeSeg.Runtime.Imaging.Frame.MaxSide || height > RealtimeSeg.Runtime.Imaging.Frame.MaxSide)
        {
            problems.Add($"{file} declares a {width}x{height} picture, more than {RealtimeSeg.Runtime.Imaging.Frame.MaxSide} a side; fix imageWidth and imageHeight");
            return null;
        }
        if (Picture(file, root, problems) is not { } source)
        {
            return null;
        }
        int before = problems.Count;
        var parts = new List<(string Label, string Key, JsonElement Shape, int Index)>();
        int index = 0;
        foreach (var shape in shapes.EnumerateArray())
        {
            index++;
            string? label = shape.String("label")?.Trim();
            if (string.IsNullOrEmpty(label))
            {
                problems.Add($"{file}: shape {index} has no label; give it one in labelme");
                continue;
            }
            string key = shape.Int("group_id") is { } group ? $"group {group.ToString(CultureInfo.InvariantCulture)}" : $"shape {index}";
            parts.Add((label, key, shape, index));
        }
        var objects = new List<LabelledObject>();
        foreach (var group in parts.GroupBy(p => p.Key))
        {
            var labels = group.Select(p => p.Label).Distinct().ToList();
            if (labels.Count > 1)
            {
                problems.Add($"{file}: shapes {string.Join(", ", group.Select(p => p.Index))} share {group.Key} but are labelled " +
                    $"{string.Join(" and ", labels.Select(l => $"'{l}'"))}; one object has one label: fix the labels or the group_id");
                continue;
            }
            canvas.Start(width, height);
            bool drawn = true;
            foreach (var part in group)
            {
                drawn &= Draw(file, part.Shape, part.Index, part.Label, canvas, problems);
            }
            if (!drawn)
            {
                continue;
            }
            var mask = canvas.Finish();
            string where = group.Count() == 1 ? $"shape {group.First().Index} ('{labels[0]}')" : $"{group.Key} ('{labels[0]}')";
            if (mask.Bounds.IsEmpty)
            {
                problems.Add($"{file}: {where} covers no pixel; draw it larger or delete it");
                continue;
            }
            objects.Add(new LabelledObject(labels[0], mask, IsCrowd: false, where));
        }
        return problems.Count == before ? new LabelledImage(file, source, width, height, objects) : null;
    }

    private static ImageSource? Picture(string file, JsonElement root, DatasetProblems problems)
    {
        if (root.String("imageData") is { Length: > 0 } data)
        {
            try
            {
                return new ImageSource(null, Convert.FromBase64String(data));
            }
            catch (FormatException)
            {
                problems.Add($"{file}: imageData is not base64; save the file again in labelme");
                return null;
            }
        }
        string dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        string? relative = root.String("imagePath")?.Replace('\\', '/');
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(relative))
        {
            candidates.Add(Path.GetFullPath(Path.Combine(dir, relative)));
            candidates.Add(Path.Combine(dir, Path.GetFileName(relative))); // moved next to its JSON
        }
        string stem = Path.Combine(dir, Path.GetFileNameWithoutExtension(file));
        candidates.AddRange(new[] { ".jpg", ".jpeg", ".png", ".bmp", ".JPG", ".PNG" }.Select(e => stem + e));
        if (candidates.FirstOrDefault(File.Exists) is { } found)
        {
            return new ImageSource(found, null);
        }
        problems.Add($"{file}: its picture '{relative}' is not there and imageData is empty; put the picture beside the JSON " +
            "or save it in labelme with 'Save With Image Data'");
        return null;
    }

    private static bool Draw(string file, JsonElement shape, int index, string label, MaskCanvas canvas, DatasetProblems problems)
    {
        string type = shape.String("shape_type") ?? "polygon";
        string where = $"{file}: shape {index} ('{label}', {type})";
        if (Points(shape) is not { } xy)
        {
            problems.Add($"{where} has no valid points list; redraw it");
            return false;
        }
        if (type != "mask")
        {
            for (int i = 0; i < xy.Length; i += 2)
            {
                if (xy[i] < -Tolerance || xy[i] > canvas.Width + Tolerance || xy[i + 1] < -Tolerance || xy[i + 1] > canvas.Height + Tolerance)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{where} has a point at ({xy[i]:0.#}, {xy[i + 1]:0.#}) outside the {canvas.Width}x{canvas.Height} picture; move it inside in labelme (or check imageWidth/imageHeight)"));
                    return false;
                }
            }
        }
        switch (type)
        {
            case "polygon":
                if (xy.Length < 6)
                {
                    problems.Add($"{where} has {xy.Length / 2} point(s); a polygon needs at least 3: redraw or delete it");
                    return false;
                }
                if (Math.Abs(ShoelaceArea(xy)) < 1e-9)
                {
                    problems.Add($"{where} has zero area (its points are on one line); redraw or delete it");
                    return false;
                }
                canvas.FillPolygon(xy);
                return true;
            case "rectangle":
                if (xy.Length != 4 || xy[0] == xy[2] || xy[1] == xy[3])
                {
                    problems.Add($"{where} needs two opposite corners of non-zero width and height; redraw or delete it");
                    return false;
                }
                canvas.FillPolygon([xy[0], xy[1], xy[2], xy[1], xy[2], xy[3], xy[0], xy[3]]);
                return true;
            case "circle":
                double r = xy.Length == 4 ? Math.Sqrt((xy[2] - xy[0]) * (xy[2] - xy[0]) + (xy[3] - xy[1]) * (xy[3] - xy[1])) : 0;
                if (r <= 0)
                {
                    problems.Add($"{where} needs a centre and a rim point apart; redraw or delete it");
                    return false;
                }
                canvas.FillCircle(xy[0], xy[1], r);
                return true;
            case "mask":
                return DrawPixelMask(where, shape, xy, canvas, problems);
            default:
                problems.Add($"{where}: a {type} has no area, and Mask R-CNN trains on areas; redraw it as a polygon, rectangle or circle, or delete it");
                return false;
        }
    }

    /// <summary>labelme 5's "mask" shape: a base64 PNG whose non-zero pixels are the object, its top-left at the first point.</summary>
    private static bool DrawPixelMask(string where, JsonElement shape, double[] xy, MaskCanvas canvas, DatasetProblems problems)
    {
        try
        {
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(shape.String("mask") ?? ""));
            if (bitmap is null)
            {
                problems.Add($"{where}: its 'mask' is not a PNG; redraw it");
                return false;
            }
            int left = (int)Math.Round(xy[0]), top = (int)Math.Round(xy[1]);
            for (int y = 0; y < bitmap.Height; y++)
            {
                for (int x = 0; x < bitmap.Width; x++)
                {
                    var c = bitmap.GetPixel(x, y);
                    if (c.Red != 0 || c.Green != 0 || c.Blue != 0)
                    {
                        canvas.Set(left + x, top + y);
                    }
                }
            }
            return true;
        }
        catch (FormatException)
        {
            problems.Add($"{where}: its 'mask' is not base64; redraw it");
            return false;
        }
    }

    private static double[]? Points(JsonElement shape)
    {
        if (shape.Array("points") is not { } points || points.GetArrayLength() == 0)
        {
            return null;
        }
        var xy = new double[points.GetArrayLength() * 2];
        int i = 0;
        foreach (var p in points.EnumerateArray())
        {
            if (p.Numbers() is not { Length: 2 } pair)
            {
                return null;
            }
            xy[i++] = pair[0];
            xy[i++] = pair[1];
        }
        return xy;
    }

    private static double ShoelaceArea(ReadOnlySpan<double> xy)
    {
        double area = 0;
        int n = xy.Length / 2;
        for (int i = 0, j = n - 1; i < n; j = i++)
        {
            area += xy[2 * j] * xy[2 * i + 1] - xy[2 * i] * xy[2 * j + 1];
        }
        return area / 2;
    }
}
