using System.Text.Json.Nodes;
using SkiaSharp;

namespace RealtimeSeg.Tests.Training;

/// <summary>
/// Writes a small labelme folder as labelme itself saves one: a picture and a JSON per image with polygon,
/// rectangle and circle shapes. Three classes drawn in their own colours on a noisy background: "coin" (circle),
/// "tile" (rectangle; every other one drawn as two rectangles joined by a group_id, as a user traces an object
/// cut by another) and "wedge" (triangle polygon). Half the JSONs embed the picture (imageData), half point
/// at it (imagePath).
/// </summary>
internal static class LabelmeScenes
{
    public static readonly string[] Classes = ["coin", "tile", "wedge"];

    public static void Write(string folder, int count, int seed, int width = 96, int height = 64)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
            using (var canvas = new SKCanvas(bitmap))
            {
                DrawBackground(canvas, bitmap, random, width, height);
                var shapes = new JsonArray();
                int group = 1;
                foreach (int kind in new[] { 0, 1, 2 })
                {
                    foreach (var shape in DrawObject(canvas, kind, random, width, height, i, ref group))
                    {
                        shapes.Add(shape);
                    }
                }
                string name = $"scene{i:D3}";
                using var data = SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100);
                byte[] png = data.ToArray();
                bool embed = i % 2 == 0;
                if (!embed)
                {
                    File.WriteAllBytes(Path.Combine(folder, name + ".png"), png);
                }
                var json = new JsonObject
                {
                    ["version"] = "5.2.1",
                    ["flags"] = new JsonObject(),
                    ["shapes"] = shapes,
                    ["imagePath"] = name + ".png",
                    ["imageData"] = embed ? Convert.ToBase64String(png) : null,
                    ["imageHeight"] = height,
                    ["imageWidth"] = width,
                };
                File.WriteAllText(Path.Combine(folder, name + ".json"), json.ToJsonString());
            }
        }
    }

    private static void DrawBackground(SKCanvas canvas, SKBitmap bitmap, Random random, int width, int height)
    {
        canvas.Clear(new SKColor(90, 90, 90));
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                byte v = (byte)(70 + random.Next(40));
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        }
    }

    private static IEnumerable<JsonObject> DrawObject(SKCanvas canvas, int kind, Random random, int width, int height, int image, ref int group)
    {
        using var paint = new SKPaint { IsAntialias = false, Style = SKPaintStyle.Fill };
        // The three objects sit in their own thirds of the picture so they never overlap.
        float cellW = width / 3f;
        float cx = cellW * kind + cellW / 2 + random.Next(-4, 5), cy = height / 2f + random.Next(-10, 11);
        float r = 9 + random.Next(5);
        switch (kind)
        {
            case 0:
                paint.Color = new SKColor(230, 190, 40);
                canvas.DrawCircle(cx, cy, r, paint);
                return [Shape("coin", "circle", [[cx, cy], [cx + r, cy]])];
            case 1:
                paint.Color = new SKColor(40, 120, 230);
                if (image % 2 == 1)
                {
                    // One tile cut in two by a gap: two rectangles, one object.
                    canvas.DrawRect(SKRect.Create(cx - r, cy - r, 2 * r, r - 1), paint);
                    canvas.DrawRect(SKRect.Create(cx - r, cy + 1, 2 * r, r - 1), paint);
                    int id = group++;
                    return
                    [
                        Shape("tile", "rectangle", [[cx - r, cy - r], [cx + r, cy - 1]], id),
                        Shape("tile", "rectangle", [[cx - r, cy + 1], [cx + r, cy + r]], id),
                    ];
                }
                canvas.DrawRect(SKRect.Create(cx - r, cy - r, 2 * r, 2 * r), paint);
                return [Shape("tile", "rectangle", [[cx - r, cy - r], [cx + r, cy + r]])];
            default:
                paint.Color = new SKColor(200, 50, 60);
                float[][] points = [[cx, cy - r], [cx + r, cy + r], [cx - r, cy + r]];
                using (var builder = new SKPathBuilder())
                {
                    builder.MoveTo(points[0][0], points[0][1]);
                    builder.LineTo(points[1][0], points[1][1]);
                    builder.LineTo(points[2][0], points[2][1]);
                    builder.Close();
                    using var path = builder.Detach();
                    canvas.DrawPath(path, paint);
                }
                return [Shape("wedge", "polygon", points)];
        }
    }

    public static JsonObject Shape(string label, string type, float[][] points, int? groupId = null) => new()
    {
        ["label"] = label,
        ["points"] = new JsonArray([.. points.Select(p => (JsonNode)new JsonArray(p[0], p[1]))]),
        ["group_id"] = groupId,
        ["description"] = "",
        ["shape_type"] = type,
        ["flags"] = new JsonObject(),
    };
}
