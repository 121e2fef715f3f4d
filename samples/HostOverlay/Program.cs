// A host engine reduced to what RealtimeSeg asks of one: its own GL context (headless EGL here; an engine passes
// its Silk.NET GL), its own pixels (the synthetic scene as padded RGBA rows here), and the overlay drawn into its
// framebuffer each frame.
//   HostOverlay MODEL.onnx OUT.png [FRAMES]
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Structures;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: HostOverlay MODEL.onnx OUT.png [FRAMES]");
    return 2;
}
int frames = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10;
const int Width = 640, Height = 480, Stride = Width * 4 + 64;

using var context = new EglContext();                       // the engine's context
var gl = context.Gl;
using var model = SegmentationModel.Open(args[0]);
using var input = new HostFrameInput();
using var pipeline = new InferencePipeline(model, input, new PipelineOptions { Lossless = true });
pipeline.Start();
using var overlay = new OverlayRenderer(gl);
using var target = new OffscreenTarget(gl, Width, Height);  // the engine's framebuffer

var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Width = Width, Height = Height, Seed = 11 });
using var rendered = Frame.Allocate(Width, Height, PixelFormat.Rgb24);
var truth = new InstanceSet(SyntheticShapesSource.ClassLabels);
var pixels = new byte[Stride * Height];
using var picture = Frame.Allocate(Width, Height, PixelFormat.Bgra32);
int instances = 0, covered = 0, inside = 0;
for (int f = 0; f < frames; f++)
{
    scene.Render(rendered, truth);
    ToRgba(rendered, pixels);
    input.Publish(pixels, Width, Height, Stride, PixelFormat.Rgba32);
    if (pipeline.Results.Wait(TimeSpan.FromSeconds(30), out var result) != WaitOutcome.Item || result is null)
    {
        Console.Error.WriteLine("no result within 30 s");
        return 1;
    }
    using (result)
    {
        target.Bind();
        overlay.Draw(result, target.Viewport);
        target.ReadPixels(picture);
        instances += result.Instances.Count;
        (int c, int n) = Coverage(truth, rendered, picture);
        (covered, inside) = (covered + c, inside + n);
    }
}
Png.WriteAtomically(args[1], picture);
double coverage = inside == 0 ? 0 : (double)covered / inside;
Console.WriteLine($"frames {frames}, instances {instances}, overlay on {coverage:P1} of ground-truth pixels, provider {pipeline.ProviderName}, picture {args[1]}");
return instances > 0 && coverage > 0.8 ? 0 : 1;

static void ToRgba(Frame rgb, byte[] into)
{
    for (int y = 0; y < rgb.Height; y++)
    {
        var row = rgb.Row(y);
        for (int x = 0; x < rgb.Width; x++)
        {
            int o = y * Stride + 4 * x;
            (into[o], into[o + 1], into[o + 2], into[o + 3]) = (row[3 * x], row[3 * x + 1], row[3 * x + 2], 255);
        }
    }
}

// Ground-truth pixels whose drawn colour differs from the scene's: the overlay's masks cover the objects.
static (int Covered, int Inside) Coverage(InstanceSet truth, Frame scene, Frame drawn)
{
    int covered = 0, inside = 0;
    for (int g = 0; g < truth.Count; g++)
    {
        var mask = truth.Mask(g);
        for (int y = mask.Bounds.Y0; y < mask.Bounds.Y1; y += 2)
        {
            for (int x = mask.Bounds.X0; x < mask.Bounds.X1; x += 2)
            {
                if (!mask[x, y])
                {
                    continue;
                }
                inside++;
                var s = scene.Row(y).Slice(3 * x, 3);
                var d = drawn.Row(y).Slice(4 * x, 4);
                covered += s[0] != d[2] || s[1] != d[1] || s[2] != d[0] ? 1 : 0;
            }
        }
    }
    return (covered, inside);
}
