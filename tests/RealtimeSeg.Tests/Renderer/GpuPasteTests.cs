using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>The shader's mask paste against the CPU paste (which matches PyTorch), on the demo model's real masks.</summary>
public sealed class GpuPasteTests : IDisposable
{
    private readonly EglContext _context = new();

    public void Dispose() => _context.Dispose();

    /// <summary>The demo model's instances on synthetic scenes, some of them touching the frame's border.</summary>
    private static List<(Frame Frame, InstanceSet Instances)> Scenes(string model)
    {
        using var segmentation = Fixtures.Open(model);
        using var slot = segmentation.CreateSlot();
        var scenes = new List<(Frame, InstanceSet)>();
        foreach (int seed in new[] { 11, 12, 13, 14 })
        {
            var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Width = 640, Height = 480, Seed = seed });
            scene.Skip(25);
            var frame = Frame.Allocate(640, 480, PixelFormat.Rgb24);
            scene.Render(frame, new InstanceSet(SyntheticShapesSource.ClassLabels));
            var instances = segmentation.CreateInstanceSet();
            slot.Segment(frame, instances);
            if (instances.MaskKind == MaskKind.Raw)
            {
                // Plus hand-made soft discs cut by the left and bottom edges: the paste must clip like the CPU's.
                AddDisc(instances, new BoxF(-30, 200, 70, 300));
                AddDisc(instances, new BoxF(500, 430, 620, 520));
            }
            scenes.Add((frame, instances));
        }
        return scenes;
    }

    private static void AddDisc(InstanceSet instances, BoxF box)
    {
        int m = instances.RawMaskSize;
        var mask = instances.WritableRawMask(instances.Add(box, 0.9f, 1));
        for (int y = 0; y < m; y++)
        {
            for (int x = 0; x < m; x++)
            {
                float dx = (x + 0.5f) / m - 0.5f, dy = (y + 0.5f) / m - 0.5f;
                mask[y * m + x] = Math.Clamp(1.5f - 3f * MathF.Sqrt(dx * dx + dy * dy) * 1.4f, 0f, 1f);
            }
        }
    }

    /// <summary>Renders one instance's mask alone (opaque white on black, no outline) and returns the covered target pixels.</summary>
    private static bool[,] GpuMask(OverlayRenderer overlay, OffscreenTarget target, Frame frame, InstanceSet one, Frame image)
    {
        target.Clear();
        overlay.Draw(frame, one, target.Viewport, new OverlayOptions
        {
            Frame = false, Boxes = false, Labels = false, Outlines = false, MaskAlpha = 1f,
            Colours = ColourMode.PerClass, Palette = [0xFFFFFF],
        });
        return CoveredPixels.Read(target, image);
    }

    [Theory]
    [InlineData("shapes_maskrcnn.onnx", 640, 480)]         // raw 28x28 masks, 1:1
    [InlineData("shapes_maskrcnn.onnx", 400, 400)]         // raw, letterboxed into a square viewport
    [InlineData("shapes_maskrcnn_pasted.onnx", 640, 480)]  // full-resolution masks from the model
    [InlineData("shapes_maskrcnn_pasted.onnx", 500, 250)]  // full-resolution, pillarboxed
    public void GpuPasteAgreesWithTheCpuPaste(string modelFile, int targetWidth, int targetHeight)
    {
        var scenes = Scenes(Path.Combine(Fixtures.RepoRoot, "models", modelFile));
        using var overlay = new OverlayRenderer(_context.Gl);
        using var target = new OffscreenTarget(_context.Gl, targetWidth, targetHeight);
        using var image = Frame.Allocate(targetWidth, targetHeight, PixelFormat.Bgra32);
        int compared = 0, touchingBorder = 0;
        float worst = 1f;
        foreach (var (frame, instances) in scenes)
        {
            var layout = OverlayRenderer.Letterbox(frame.Width, frame.Height, target.Viewport);
            for (int k = 0; k < instances.Count; k++)
            {
                var one = instances.Where(i => i == k);
                var gpu = GpuMask(overlay, target, frame, one, image);
                var cpu = instances.Mask(k);
                if (cpu.PixelCount == 0)
                {
                    continue;
                }
                touchingBorder += cpu.Bounds.X0 == 0 || cpu.Bounds.Y0 == 0 || cpu.Bounds.X1 == frame.Width || cpu.Bounds.Y1 == frame.Height ? 1 : 0;
                // The CPU mask seen through the same letterbox: each target pixel shows the frame pixel under its centre.
                int both = 0, either = 0;
                for (int y = 0; y < targetHeight; y++)
                {
                    for (int x = 0; x < targetWidth; x++)
                    {
                        int fx = (int)MathF.Floor((x + 0.5f - layout.OffsetX) / layout.Scale);
                        int fy = (int)MathF.Floor((y + 0.5f - layout.OffsetY) / layout.Scale);
                        bool c = fx >= 0 && fy >= 0 && fx < frame.Width && fy < frame.Height && cpu[fx, fy];
                        both += c && gpu[x, y] ? 1 : 0;
                        either += c || gpu[x, y] ? 1 : 0;
                    }
                }
                float iou = either == 0 ? 1f : (float)both / either;
                worst = Math.Min(worst, iou);
                compared++;
                Assert.True(iou >= 0.98f, $"{modelFile} at {targetWidth}x{targetHeight}: instance {k} ({instances.ClassName(k)}) GPU/CPU mask IoU {iou:0.0000}");
            }
        }
        Assert.True(compared >= 10, $"only {compared} instances compared");
        Assert.True(touchingBorder >= 1, "no instance touched the frame border: the scenes should include one");
        foreach (var (frame, _) in scenes)
        {
            frame.Dispose();
        }
    }
}
