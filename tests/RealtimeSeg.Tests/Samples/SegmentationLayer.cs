// README:begin
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Pipeline;
using Silk.NET.OpenGL;

/// <summary>A host engine's overlay layer: its own GL context is current and its framebuffer bound.</summary>
public sealed class SegmentationLayer : IDisposable
{
    private readonly InferencePipeline _pipeline;
    private readonly OverlayRenderer _overlay;

    /// <param name="gl">The engine's Silk.NET GL; an engine on another binding makes one from its context's
    /// loader: <c>GL.GetApi(getProcAddress)</c> (GLFW, SDL, EGL, ...).</param>
    public SegmentationLayer(InferencePipeline pipeline, GL gl)
    {
        _pipeline = pipeline;
        _overlay = new OverlayRenderer(gl);
    }

    /// <summary>Call once per host frame, after the scene: draws the newest result, never waits for inference.</summary>
    public void Render(int x, int y, int width, int height)
    {
        if (_pipeline.TryGetLatest(out var result))
        {
            using (result)
            {
                var options = OverlayOptions.Default with { Frame = false }; // over the host's own picture
                _overlay.Draw(result, new Viewport(x, y, width, height), options);
            }
        }
    }

    public void Dispose() => _overlay.Dispose();
}
// README:end
