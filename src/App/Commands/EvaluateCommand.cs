using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RealtimeSeg.Runtime.Evaluation;

namespace RealtimeSeg.App.Commands;

/// <summary><c>realtimeseg evaluate</c>: COCO-style mask and box AP of a model on a dataset split.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var args = new ModelArguments();
        var data = new Option<string>("--data") { Description = "Dataset folder written by synth-dataset (COCO annotations, PNG images)", Required = true };
        var split = new Option<string>("--split") { Description = "Split to evaluate", DefaultValueFactory = _ => "val" };
        var limit = new Option<int>("--limit") { Description = "Evaluate only the first N images (0 = all)", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var command = new Command("evaluate", "Measure a model's COCO mask AP and box AP (IoU 0.50:0.95, 0.50, 0.75) on a dataset split, through the ONNX runtime");
        args.AddTo(command);
        command.Options.Add(data);
        command.Options.Add(split);
        command.Options.Add(limit);
        command.Options.Add(json);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var truth = CocoGroundTruth.Load(parse.GetValue(data)!, parse.GetValue(split)!);
            if (parse.GetValue(limit) is > 0 and var l)
            {
                truth = truth.Take(l);
            }
            int n = truth.Images.Count;
            using var model = args.Open(parse);
            var progress = new Progress("evaluate", n);
            var score = ModelScoring.Score(model, truth, progress.Report);
            var (box, mask, seconds) = (score.Box, score.Mask, score.Seconds);
            Console.Out.WriteLine(parse.GetValue(json)
                ? ToJson(model.Path, parse.GetValue(split)!, n, seconds, box, mask, truth)
                : ToText(model.Path, parse.GetValue(split)!, n, seconds, box, mask, truth));
            return 0;
        }));
        return command;
    }

    private static string ToText(string model, string split, int images, double seconds, CocoMetrics box, CocoMetrics? mask, CocoGroundTruth truth)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"model     {model}");
        w.WriteLine($"data      {split}: {images} images, {truth.Objects.Count(o => !o.IsCrowd)} instances ({images / seconds:0.0} images/s end to end)");
        if (mask is not null)
        {
            w.WriteLine($"mask AP   {mask.AP:0.000}   AP50 {mask.AP50:0.000}   AP75 {mask.AP75:0.000}   AR100 {mask.AR100:0.000}");
        }
        w.WriteLine($"box AP    {box.AP:0.000}   AP50 {box.AP50:0.000}   AP75 {box.AP75:0.000}   AR100 {box.AR100:0.000}");
        var perClass = (mask ?? box).PerCategoryAP;
        w.Write($"per class {(mask is null ? "box" : "mask")} AP: ");
        w.WriteLine(string.Join(", ", perClass.Select(kv => $"{truth.Categories[kv.Key]} {kv.Value:0.000}")));
        return w.ToString().TrimEnd();
    }

    private static string ToJson(string model, string split, int images, double seconds, CocoMetrics box, CocoMetrics? mask, CocoGroundTruth truth)
    {
        var doc = new Dictionary<string, object>
        {
            ["model"] = model, ["split"] = split, ["images"] = images, ["imagesPerSecond"] = Math.Round(images / seconds, 2),
            ["box.AP"] = Math.Round(box.AP, 4), ["box.AP50"] = Math.Round(box.AP50, 4), ["box.AP75"] = Math.Round(box.AP75, 4),
        };
        if (mask is not null)
        {
            doc["mask.AP"] = Math.Round(mask.AP, 4);
            doc["mask.AP50"] = Math.Round(mask.AP50, 4);
            doc["mask.AP75"] = Math.Round(mask.AP75, 4);
            doc["mask.AR100"] = Math.Round(mask.AR100, 4);
        }
        doc["perClassAP"] = (mask ?? box).PerCategoryAP.ToDictionary(kv => truth.Categories[kv.Key], kv => Math.Round(kv.Value, 4));
        return JsonSerializer.Serialize(doc, CliJson.Indented);
    }
}
