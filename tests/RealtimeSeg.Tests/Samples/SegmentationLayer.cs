// README:begin
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Pipeline;

/// <summary>A host engine's overlay layer: its own GL context is current and its framebuffer bound.</summary>
public sealed class SegmentationLayer : IDisposable
{
    private readonly InferencePipeline _pipeline;
    private readonly OverlayRenderer _overlay;

    public SegmentationLayer(InferencePipeline pipeline, Func<string, nint> getProcAddress)
    {
        RealtimeSeg.Renderer.Native.Gl.Load(getProcAddress); // the host context's loader (GLFW, SDL, EGL, ...)
        _pipeline = pipeline;
        _overlay = new OverlayRenderer();
    }

    /// <summary>Call once per host frame, after the scene: draws the newest result, never waits for inference.</summary>
    public void Render(int x, int y, int width, int height)
    {
        if (_pipeline.TryGetLatest(out var result))
        {
            using (result!)
            {
                var options = OverlayOptions.Default with { Frame = false }; // over the host's own picture
                _overlay.Draw(result!, new Viewport(x, y, width, height), options);
            }
        }
    }

    public void Dispose() => _overlay.Dispose();
}
// README:end
