using System.Text.Json;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Capture.Synthetic;

/// <summary>
/// Writes a COCO-format instance-segmentation split rendered by <see cref="SyntheticShapesSource"/>:
/// <c>images/SPLIT/NNNNNN.png</c> and <c>annotations/instances_SPLIT.json</c> (categories, images, annotations
/// with bbox, area, iscrowd and uncompressed RLE segmentation). Category ids are the scene's class ids, which
/// are the model's label ids. Each image is its own scene (seed derived from the dataset seed, split and index)
/// at a random moment, so images are independent and the whole split is reproducible.
/// </summary>
internal static class CocoDatasetWriter
{
    public static readonly string[] Splits = ["train", "val"];

    /// <summary>Writes one split. <paramref name="progress"/> is called after each image with the count done.</summary>
    public static int WriteSplit(string root, string split, int count, int width, int height, int seed, Action<int>? progress = null)
    {
        string imageDir = Path.Combine(root, "images", split);
        string annotationDir = Path.Combine(root, "annotations");
        Directory.CreateDirectory(imageDir);
        Directory.CreateDirectory(annotationDir);
        string jsonPath = Path.Combine(annotationDir, $"instances_{split}.json");
        string tempJson = jsonPath + ".partial";
        int splitId = Array.IndexOf(Splits, split);
        int annotations = 0;

        using (var stream = File.Create(tempJson))
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartObject("info");
            json.WriteString("description", $"RealtimeSeg synthetic shapes, split {split}, seed {seed}, {width}x{height}");
            json.WriteString("version", "1");
            json.WriteEndObject();
            json.WriteStartArray("categories");
            for (int id = 1; id < ShapeClasses.Names.Count; id++)
            {
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("name", ShapeClasses.Names[id]);
                json.WriteString("supercategory", "shape");
                json.WriteEndObject();
            }
            json.WriteEndArray();

            var truth = new InstanceSet(SyntheticShapesSource.ClassLabels);
            using var frame = Frame.Allocate(width, height, PixelFormat.Rgb24);
            json.WriteStartArray("images");
            var annotationBuffer = new MemoryStream();
            using (var annotationJson = new Utf8JsonWriter(annotationBuffer))
            {
                annotationJson.WriteStartArray();
                for (int i = 0; i < count; i++)
                {
                    int imageSeed = SeedMix.Combine(seed, splitId, i);
                    var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Width = width, Height = height, Seed = imageSeed });
                    scene.Skip(new Random(imageSeed).Next(0, 300));
                    scene.Render(frame, truth);
                    string fileName = $"{i + 1:D6}.png";
                    Png.Write(Path.Combine(imageDir, fileName), frame);

                    json.WriteStartObject();
                    json.WriteNumber("id", i + 1);
                    json.WriteString("file_name", $"{split}/{fileName}");
                    json.WriteNumber("width", width);
                    json.WriteNumber("height", height);
                    json.WriteEndObject();

                    for (int k = 0; k < truth.Count; k++)
                    {
                        var mask = truth.Mask(k);
                        int area = mask.PixelCount;
                        var box = truth.Boxes[k];
                        annotationJson.WriteStartObject();
                        annotationJson.WriteNumber("id", ++annotations);
                        annotationJson.WriteNumber("image_id", i + 1);
                        annotationJson.WriteNumber("category_id", truth.ClassIds[k]);
                        annotationJson.WriteStartArray("bbox");
                        annotationJson.WriteNumberValue(box.X1);
                        annotationJson.WriteNumberValue(box.Y1);
                        annotationJson.WriteNumberValue(box.Width);
                        annotationJson.WriteNumberValue(box.Height);
                        annotationJson.WriteEndArray();
                        annotationJson.WriteNumber("area", area);
                        // Slivers below the scene's instance threshold are "crowd": evaluation ignores them.
                        annotationJson.WriteNumber("iscrowd", area < scene.MinInstanceArea ? 1 : 0);
                        annotationJson.WriteStartObject("segmentation");
                        annotationJson.WriteStartArray("size");
                        annotationJson.WriteNumberValue(height);
                        annotationJson.WriteNumberValue(width);
                        annotationJson.WriteEndArray();
                        annotationJson.WriteStartArray("counts");
                        foreach (int run in MaskRle.Encode(mask, width, height))
                        {
                            annotationJson.WriteNumberValue(run);
                        }
                        annotationJson.WriteEndArray();
                        annotationJson.WriteEndObject();
                        annotationJson.WriteEndObject();
                    }
                    progress?.Invoke(i + 1);
                }
                annotationJson.WriteEndArray();
            }
            json.WriteEndArray();
            json.WritePropertyName("annotations");
            json.WriteRawValue(annotationBuffer.GetBuffer().AsSpan(0, (int)annotationBuffer.Length), skipInputValidation: true);
            json.WriteEndObject();
        }
        // The annotations appear only once complete: an interrupted run never leaves a valid-looking file.
        File.Move(tempJson, jsonPath, overwrite: true);
        return annotations;
    }
}
