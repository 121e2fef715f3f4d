using System.Globalization;
using SkiaSharp;

namespace RealtimeSeg.App.Training;

/// <summary>
/// DIR/training/curve.png: the loss and its parts (smoothed) over the iterations, and the validation mask and
/// box AP beside it, drawn with SkiaSharp and the renderer's embedded DejaVu Sans (no system fonts needed).
/// </summary>
internal static class TrainingCurve
{
    private const int Width = 1000, Height = 420, Margin = 48;

    private static readonly (string Key, SKColor Colour)[] Series =
    [
        ("loss", new SKColor(20, 20, 20)), ("loss_classifier", new SKColor(220, 50, 47)), ("loss_box_reg", new SKColor(38, 139, 210)),
        ("loss_mask", new SKColor(133, 153, 0)), ("loss_objectness", new SKColor(211, 54, 130)), ("loss_rpn_box_reg", new SKColor(181, 137, 0)),
    ];

    public static void Draw(IReadOnlyList<LossRow> losses, IReadOnlyList<EvalRow> evals, int totalIterations, string path)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var fontStream = typeof(Renderer.Text.GlyphAtlas).Assembly.GetManifestResourceStream("fonts/DejaVuSans.ttf")!;
        using var typeface = SKTypeface.FromStream(fontStream);
        using var font = new SKFont(typeface, 13);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        int xMax = Math.Max(1, totalIterations);

        var lossPanel = new SKRect(Margin, 30, Width * 0.62f, Height - Margin);
        double top = losses.Count == 0 ? 1 : Math.Max(1e-3, Smooth(losses.Select(r => r.Loss).ToList()).Max() * 1.05);
        Axes(canvas, lossPanel, font, text, "loss (smoothed)", top, xMax);
        int legend = 0;
        foreach (var (key, colour) in Series)
        {
            var values = losses.Select(r => key == "loss" ? r.Loss : r.Parts.GetValueOrDefault(key, double.NaN)).ToList();
            if (values.Count == 0 || values.All(double.IsNaN))
            {
                continue;
            }
            Line(canvas, lossPanel, losses.Select(r => (double)r.Iteration).ToList(), Smooth(values), xMax, top, colour);
            using var paint = new SKPaint { Color = colour, IsAntialias = true };
            canvas.DrawText(key, lossPanel.Right - 130, lossPanel.Top + 16 + 15 * legend++, SKTextAlign.Left, font, paint);
        }

        var apPanel = new SKRect(Width * 0.62f + Margin + 10, 30, Width - 16, Height - Margin);
        Axes(canvas, apPanel, font, text, "validation AP (0.50:0.95)", 1.0, xMax);
        var xs = evals.Select(e => (double)e.Iteration).ToList();
        var mask = new SKColor(133, 153, 0);
        var box = new SKColor(38, 139, 210);
        Line(canvas, apPanel, xs, evals.Select(e => e.MaskAP).ToList(), xMax, 1.0, mask, dots: true);
        Line(canvas, apPanel, xs, evals.Select(e => e.BoxAP).ToList(), xMax, 1.0, box, dots: true);
        using (var m = new SKPaint { Color = mask, IsAntialias = true })
        using (var b = new SKPaint { Color = box, IsAntialias = true })
        {
            canvas.DrawText("mask AP", apPanel.Left + 8, apPanel.Top + 16, SKTextAlign.Left, font, m);
            canvas.DrawText("box AP", apPanel.Left + 8, apPanel.Top + 31, SKTextAlign.Left, font, b);
        }
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        string tmp = path + ".partial";
        using (var file = File.Create(tmp))
        {
            png.SaveTo(file);
        }
        File.Move(tmp, path, overwrite: true);
    }

    private static void Axes(SKCanvas canvas, SKRect panel, SKFont font, SKPaint text, string title, double top, int xMax)
    {
        using var frame = new SKPaint { Color = SKColors.Gray, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        using var grid = new SKPaint { Color = new SKColor(230, 230, 230), StrokeWidth = 1 };
        canvas.DrawRect(panel, frame);
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i <= 4; i++)
        {
            float y = panel.Bottom - i / 4f * panel.Height;
            canvas.DrawLine(panel.Left, y, panel.Right, y, grid);
            canvas.DrawText((top * i / 4).ToString(top >= 10 ? "0" : "0.00", inv), panel.Left - 40, y + 4, SKTextAlign.Left, font, text);
        }
        canvas.DrawText(title, panel.Left, panel.Top - 10, SKTextAlign.Left, font, text);
        canvas.DrawText("0", panel.Left, panel.Bottom + 16, SKTextAlign.Left, font, text);
        canvas.DrawText($"iteration {xMax}", panel.Right - 90, panel.Bottom + 16, SKTextAlign.Left, font, text);
    }

    private static void Line(SKCanvas canvas, SKRect panel, IReadOnlyList<double> xs, IReadOnlyList<double> ys, int xMax, double top, SKColor colour, bool dots = false)
    {
        using var paint = new SKPaint { Color = colour, StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var builder = new SKPathBuilder();
        bool started = false;
        for (int i = 0; i < xs.Count; i++)
        {
            if (!double.IsFinite(ys[i]))
            {
                continue;
            }
            float x = panel.Left + (float)(xs[i] / xMax) * panel.Width;
            float y = panel.Bottom - (float)Math.Clamp(ys[i] / top, 0, 1) * panel.Height;
            if (started)
            {
                builder.LineTo(x, y);
            }
            else
            {
                builder.MoveTo(x, y);
                started = true;
            }
            if (dots)
            {
                using var fill = new SKPaint { Color = colour, IsAntialias = true };
                canvas.DrawCircle(x, y, 3.5f, fill);
            }
        }
        using var path = builder.Detach();
        canvas.DrawPath(path, paint);
    }

    /// <summary>A trailing mean over ~2% of the run (at least 5 iterations): one batch's loss is noisy.</summary>
    private static List<double> Smooth(IReadOnlyList<double> values)
    {
        int k = Math.Max(5, values.Count / 50);
        var result = new List<double>(values.Count);
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= k)
            {
                sum -= values[i - k];
            }
            result.Add(sum / Math.Min(i + 1, k));
        }
        return result;
    }
}
