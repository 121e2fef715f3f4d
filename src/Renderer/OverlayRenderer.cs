using RealtimeSeg.Renderer.Graphics;
using RealtimeSeg.Renderer.Passes;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Structures;
using Silk.NET.OpenGL;

namespace RealtimeSeg.Renderer;

/// <summary>
/// The embeddable core: draws a frame and its instances (masks, outlines, boxes, labels, HUD) into whatever
/// framebuffer is bound, inside a viewport, with shaders. It saves and restores every piece of GL state it
/// touches, so a host engine is undisturbed; it has no window and no thread. Create, draw and dispose it on
/// the thread where its GL context is current.
/// <code>
/// using var overlay = new OverlayRenderer(gl);           // the host's Silk.NET GL; its 3.3 core context current
/// if (pipeline.TryGetLatest(out var result))
///     using (result) overlay.Draw(result, new Viewport(0, 0, width, height));
/// </code>
/// A draw is four passes, each owning its GL objects and one concern: the frame (<c>FramePass</c>: texture and
/// streamed upload), masks (<c>MaskPass</c>: GPU paste), rectangles and text (<c>LabelPass</c>: boxes, chips laid
/// out off the HUD and each other, glyphs), and GPU timing (<c>GpuTimer</c>). Four or five draw calls per frame
/// however many instances.
/// </summary>
public sealed class OverlayRenderer : IDisposable
{
    private readonly GL _gl;
    private readonly GlObjects _objects;
    private readonly FramePass _frame;
    private readonly MaskPass _masks;
    private readonly LabelPass _labels;
    private readonly GpuTimer _timer;
    private readonly ColourTracker _tracker = new();
    private int[] _colours = new int[32];
    private BoxF[] _drawnBoxes = new BoxF[32];
    private InstanceSet? _none;
    private long _lastTrackedSequence = -1;
    private int _disposed;

    /// <param name="gl">The GL of the context to draw in (a host not on Silk.NET makes one with
    /// <c>GL.GetApi(getProcAddress)</c>); that context must be current on this thread, now and for every call.</param>
    public OverlayRenderer(GL gl)
    {
        ArgumentNullException.ThrowIfNull(gl);
        _gl = gl;
        // With no context current the GL entry points are no-ops: the version string is empty, not an error.
        string? version = gl.GetStringS(StringName.Version);
        if (string.IsNullOrEmpty(version))
        {
            throw new RendererException("no OpenGL context is current on this thread; make the host's context current before creating the overlay");
        }
        if (gl.GetInteger(GetPName.MajorVersion) * 10 + gl.GetInteger(GetPName.MinorVersion) < 33)
        {
            throw new RendererException($"the overlay needs OpenGL 3.3 or newer; the current context is {version}");
        }
        LastHostGlError = GlErrors.Drain(gl); // the host's, not ours: see LastHostGlError
        _objects = new GlObjects(gl);
        var saved = GlStateSnapshot.Capture(gl);
        try
        {
            DrawState.SetUnpack(gl); // the first font atlas is uploaded here, under whatever unpack state the host has
            _frame = new FramePass(gl, _objects);
            _masks = new MaskPass(gl, _objects);
            _labels = new LabelPass(gl, _objects);
            _timer = new GpuTimer(gl, _objects);
            GlErrors.Check(gl, "creating the overlay's GL objects", LastHostGlError);
        }
        catch
        {
            _objects.Delete();
            throw;
        }
        finally
        {
            saved.Restore(gl);
        }
    }

    /// <summary>
    /// The GL error the host had left pending when the last <c>Draw</c> (or, before the first, the constructor)
    /// began (<see cref="GLEnum.NoError"/> when none). A draw reads and clears pending errors first, so that the
    /// host's own mistake is never reported as the overlay's (and the overlay's never as the host's): a host that
    /// checks glGetError after drawing reads it here.
    /// </summary>
    public GLEnum LastHostGlError { get; private set; }

    /// <summary>GPU milliseconds of the most recent overlay pass whose timer query has completed (0 until one has).</summary>
    public double LastPassMs => _timer.LastMs;

    /// <summary>Forgets the tracked instances' colours: the next <see cref="Draw(Frame, InstanceSet, Viewport, OverlayOptions?, HudInfo, long, double)"/> starts a new scene.</summary>
    public void ForgetColours() => _tracker.Reset();

    /// <summary>Draws a pipeline result: its frame and its instances (sync mode: the picture is as old as the result).</summary>
    public void Draw(SegmentationResult result, Viewport viewport, OverlayOptions? options = null, HudInfo hud = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        Draw(result.Frame, result.Instances, viewport, options, hud, result.Sequence);
    }

    /// <summary>
    /// Live mode: draws <paramref name="frame"/>, a camera frame newer than the result, with
    /// <paramref name="result"/>'s instances moved by their tracks' velocities to the frame's capture time
    /// (<see cref="OverlayOptions.Motion"/>; unmoved when off). A null result, or one of another frame size, draws
    /// the frame alone.
    /// </summary>
    public void Draw(Frame frame, SegmentationResult? result, Viewport viewport, OverlayOptions? options = null, HudInfo hud = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        options ??= OverlayOptions.Default;
        var (instances, ahead) = LiveInstances(frame, result, options);
        Draw(frame, instances ?? (_none ??= new InstanceSet(LabelMap.None)), viewport, options, hud, instances is null ? -1 : result!.Sequence, ahead);
    }

    /// <summary>
    /// Live mode over a host's own picture (use it with <see cref="OverlayOptions.Frame"/> off): the result's
    /// instances moved to <paramref name="captureTimestamp"/> (Stopwatch ticks), the capture time of the picture the
    /// host is showing under them.
    /// </summary>
    public void Draw(SegmentationResult result, long captureTimestamp, Viewport viewport, OverlayOptions? options = null, HudInfo hud = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        options ??= OverlayOptions.Default;
        Draw(result.Frame, result.Instances, viewport, options, hud, result.Sequence, MotionSeconds(result, captureTimestamp, options));
    }

    /// <summary>
    /// What <see cref="Draw(Frame, SegmentationResult?, Viewport, OverlayOptions?, HudInfo)"/> shows over
    /// <paramref name="frame"/>: the result's instances (null without a result, or for one of another frame size)
    /// and how far ahead they are moved. The results file and bench-live score exactly this.
    /// </summary>
    internal static (InstanceSet? Instances, double MotionSeconds) LiveInstances(Frame frame, SegmentationResult? result, OverlayOptions options) =>
        result is null || result.Frame.Width != frame.Width || result.Frame.Height != frame.Height
            ? (null, 0)
            : (result.Instances, MotionSeconds(result, frame.Timestamp, options));

    /// <summary>
    /// How far forward to move a result's instances for a picture captured at <paramref name="pictureTimestamp"/>:
    /// capture to capture, never backwards, at most <see cref="OverlayOptions.MaxMotionSeconds"/>; 0 with
    /// <see cref="OverlayOptions.Motion"/> off.
    /// </summary>
    private static double MotionSeconds(SegmentationResult result, long pictureTimestamp, OverlayOptions options) => options.Motion
        ? Math.Clamp((pictureTimestamp - result.Frame.Timestamp) / (double)System.Diagnostics.Stopwatch.Frequency, 0, Math.Max(options.MaxMotionSeconds, 0))
        : 0;

    /// <summary>
    /// Draws <paramref name="instances"/> over <paramref name="frame"/> (letterboxed into <paramref name="viewport"/>).
    /// <paramref name="sequence"/> identifies the result for colour tracking (drawing one result many times
    /// must not age its colours); -1 treats every call as a new result. <paramref name="motionSeconds"/> moves each
    /// instance that far forward along its velocity (<see cref="InstanceSet.PredictedBox"/>): 0 draws them where they were.
    /// </summary>
    public void Draw(Frame frame, InstanceSet instances, Viewport viewport, OverlayOptions? options = null, HudInfo hud = default, long sequence = -1, double motionSeconds = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(instances);
        options ??= OverlayOptions.Default;
        RequireCurrentContext();
        LastHostGlError = GlErrors.Drain(_gl);
        GlDeletions.Flush(_gl); // names other threads' Dispose calls queued for this context
        if (viewport.Width <= 0 || viewport.Height <= 0)
        {
            return;
        }
        var saved = options.RestoreHostState ? GlStateSnapshot.Capture(_gl) : default;
        try
        {
            var target = new PassTarget(viewport, FrameLayout.Letterbox(frame.Width, frame.Height, viewport));
            var colours = AssignColours(instances, options, sequence);
            var boxes = DrawnBoxes(instances, motionSeconds);
            if (options.MeasureGpuTime)
            {
                _timer.Begin();
            }
            SetDeclaredState(viewport);
            if (options.Frame)
            {
                _gl.Disable(EnableCap.Blend);
                _frame.Draw(frame, target, options.UsePixelBuffers);
            }
            _gl.Enable(EnableCap.Blend);
            if (options.Masks && instances.MaskKind != MaskKind.None)
            {
                _masks.Draw(instances, boxes, colours, target, options, frame.Width, frame.Height);
            }
            _labels.Draw(instances, boxes, colours, target, options, hud, frame.Width, frame.Height);
            if (options.MeasureGpuTime)
            {
                _timer.End();
            }
            GlErrors.Check(_gl, "the overlay's draw", LastHostGlError);
        }
        catch
        {
            // Whatever failed may have left a texture unfilled: upload everything again next time rather than
            // draw a stale or black picture for ever.
            _frame.Forget();
            _masks.Forget();
            throw;
        }
        finally
        {
            if (options.RestoreHostState)
            {
                saved.Restore(_gl);
            }
        }
    }

    /// <summary>Blocks until the GPU has finished the passes issued so far and reads their time (benchmarks only).</summary>
    public double WaitForPassTimes() => _timer.WaitForLast();

    /// <summary>Fits the frame inside the viewport keeping its aspect; offsets are whole pixels so edges stay crisp.</summary>
    internal static FrameLayout Letterbox(int frameWidth, int frameHeight, Viewport viewport) => FrameLayout.Letterbox(frameWidth, frameHeight, viewport);

    /// <summary>
    /// With no context current GL calls do nothing (GLVND's no-op dispatch): a draw would silently vanish, and
    /// deletions queued for this context would be lost. The version string is null there; a pointer read, no allocation.
    /// </summary>
    private unsafe void RequireCurrentContext()
    {
        if (_gl.GetString(StringName.Version) == null)
        {
            throw new RendererException("no OpenGL context is current on this thread; make the overlay's context current before drawing");
        }
    }

    // The state the overlay draws with, set in full: whatever else a host has set does not reach the picture.
    private void SetDeclaredState(Viewport viewport)
    {
        _gl.Viewport(viewport.X, viewport.Y, (uint)viewport.Width, (uint)viewport.Height);
        DrawState.SetRaster(_gl);
        DrawState.SetUnpack(_gl);
        _gl.BindSampler(0, 0);
        _gl.BindSampler(1, 0);
        _gl.BindSampler(2, 0);
        _gl.BlendFuncSeparate(BlendingFactor.SrcAlpha, BlendingFactor.OneMinusSrcAlpha, BlendingFactor.One, BlendingFactor.OneMinusSrcAlpha);
        _gl.BlendEquationSeparate(BlendEquationModeEXT.FuncAdd, BlendEquationModeEXT.FuncAdd);
    }

    private ReadOnlySpan<BoxF> DrawnBoxes(InstanceSet instances, double motionSeconds)
    {
        if (motionSeconds == 0)
        {
            return instances.Boxes;
        }
        if (_drawnBoxes.Length < instances.Count)
        {
            _drawnBoxes = new BoxF[Math.Max(instances.Count, _drawnBoxes.Length * 2)];
        }
        for (int i = 0; i < instances.Count; i++)
        {
            _drawnBoxes[i] = instances.PredictedBox(i, motionSeconds);
        }
        return _drawnBoxes.AsSpan(0, instances.Count);
    }

    private ReadOnlySpan<int> AssignColours(InstanceSet instances, OverlayOptions options, long sequence)
    {
        if (_colours.Length < instances.Count)
        {
            _colours = new int[Math.Max(instances.Count, _colours.Length * 2)];
        }
        var palette = options.Palette is { Count: > 0 } p ? p : ColourTracker.DefaultPalette;
        if (options.Colours == ColourMode.PerClass)
        {
            for (int i = 0; i < instances.Count; i++)
            {
                _colours[i] = palette[instances.ClassIds[i] % palette.Count];
            }
        }
        else if (instances.IsTracked)
        {
            // The pipeline's tracker already follows each object: its colour is its track's.
            for (int i = 0; i < instances.Count; i++)
            {
                _colours[i] = palette[(instances.TrackIds[i] - 1 + palette.Count) % palette.Count];
            }
        }
        else if (sequence < 0 || sequence != _lastTrackedSequence)
        {
            _tracker.Assign(instances, palette, _colours);
            _lastTrackedSequence = sequence;
        }
        return _colours.AsSpan(0, instances.Count);
    }

    /// <summary>
    /// Deletes the GL objects: now when called on the GL thread, else at the context's next draw or
    /// <see cref="GlDeletions.Flush"/> there. A second call does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _objects.Delete();
    }
}
