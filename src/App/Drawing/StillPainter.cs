using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.App.Drawing;

/// <summary>
/// Annotated stills drawn by the same <see cref="OverlayRenderer"/> as video, offscreen: one EGL context (Mesa's
/// llvmpipe where there is no GPU) and one renderer for the run, a target per image size. Each image is a scene
/// of its own, so colours start afresh for each (as the first frame of a recording does). Create, use and dispose
/// it on one thread: the context is current there.
/// </summary>
internal sealed class StillPainter : IDisposable
{
    private readonly EglContext _context;
    private readonly OverlayRenderer _overlay;
    private OffscreenTarget? _target;
    private Frame? _picture;

    private StillPainter(EglContext context, OverlayRenderer overlay) => (_context, _overlay) = (context, overlay);

    /// <summary>Opens the GL context first, so a machine without GL fails before any image is segmented or written.</summary>
    public static StillPainter Open()
    {
        EglContext context;
        try
        {
            context = new EglContext();
        }
        catch (RendererException e)
        {
            throw new RealtimeSegException($"annotated images are drawn with OpenGL, which is not available here: {e.Message}");
        }
        try
        {
            return new StillPainter(context, new OverlayRenderer(context.Gl));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Draws <paramref name="instances"/> over <paramref name="frame"/> and writes the picture as a PNG, atomically.</summary>
    public void Write(string path, Frame frame, InstanceSet instances, OverlayOptions options)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_target is null || _target.Width != frame.Width || _target.Height != frame.Height)
        {
            _target?.Dispose();
            _picture?.Dispose();
            _target = new OffscreenTarget(_context.Gl, frame.Width, frame.Height, ReadbackFormat.Bgra);
            _picture = Frame.Allocate(frame.Width, frame.Height, PixelFormat.Bgra32);
        }
        _overlay.ForgetColours();
        _target.Bind();
        _overlay.Draw(frame, instances, _target.Viewport, options);
        _target.ReadPixels(_picture!);
        Png.WriteAtomically(path, _picture!);
    }

    public void Dispose()
    {
        _picture?.Dispose();
        _target?.Dispose();
        _overlay.Dispose();
        _context.Dispose();
    }
}
