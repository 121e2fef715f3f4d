using System.Diagnostics;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Renderer;
using RealtimeSeg.Renderer.Native;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.Tests.Samples;

/// <summary>The README's embedding sample compiles (it is this project's SegmentationLayer.cs) and works in a host context.</summary>
public sealed class EmbeddingSampleTests
{
    [Fact]
    public void TheReadmeShowsTheSampleThatIsCompiledHere()
    {
        string sample = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "tests", "RealtimeSeg.Tests", "Samples", "SegmentationLayer.cs"));
        int begin = sample.IndexOf("// README:begin\n", StringComparison.Ordinal) + "// README:begin\n".Length;
        int end = sample.IndexOf("// README:end", StringComparison.Ordinal);
        string code = sample[begin..end].TrimEnd();
        string readme = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "README.md"));
        Assert.Contains("```csharp\n" + code + "\n```", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLayerDrawsOverAHostsPictureWithoutTouchingItsState()
    {
        using var host = new EglContext(); // stands in for the engine's context
        using var model = Fixtures.Open(Fixtures.DemoModel);
        using var capture = new CaptureLoop(new SyntheticFrameSource(new SyntheticSceneOptions { Seed = 9 }, live: true));
        using var pipeline = new InferencePipeline(model, (IFrameReader)capture.Frames);
        capture.Start();
        pipeline.Start();
        Assert.True(SpinWait.SpinUntil(() => pipeline.LatestSequence >= 0, 30_000));

        using var target = new OffscreenTarget(host.Gl, 640, 480);
        target.Clear(0x204060); // the host's own picture
        using var engineGl = Silk.NET.OpenGL.GL.GetApi(Egl.GetProcAddress); // the engine's own GL, from its loader
        using var layer = new SegmentationLayer(pipeline, engineGl);
        target.Bind();
        layer.Render(0, 0, 640, 480);
        using var image = Frame.Allocate(640, 480, PixelFormat.Bgra32);
        target.ReadPixels(image);
        int changed = 0;
        for (int y = 0; y < 480; y++)
        {
            var row = image.Row(y);
            for (int x = 0; x < 640; x++)
            {
                changed += row[4 * x] != 0x60 || row[4 * x + 1] != 0x40 || row[4 * x + 2] != 0x20 ? 1 : 0;
            }
        }
        Assert.True(changed > 2000, $"the layer changed only {changed} pixels of the host's picture");
        Assert.True(changed < 640 * 480 / 2, "with Frame = false the host's picture must show through");
        pipeline.Stop();
        capture.Stop();
    }
}
