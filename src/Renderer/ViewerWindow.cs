using System.Diagnostics;
using System.Runtime.InteropServices;
using RealtimeSeg.Renderer.Native;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Pipeline;
using Silk.NET.OpenGL;
using PixelFormat = RealtimeSeg.Runtime.Imaging.PixelFormat;

namespace RealtimeSeg.Renderer;

/// <summary>
/// A GLFW window that draws the newest result at display rate and never waits for inference: a slow model
/// only means the same result is drawn again. Keys: M masks, B boxes, L labels, H HUD, Space pause,
/// S screenshot (PNG), Q or Esc quit; with several streams (<see cref="Run(TiledStreams, CancellationToken)"/>)
/// 0-9 enlarge that stream (numbered as their HUDs show them) to the whole window, and the same key again or G goes back to the grid. Resizing keeps each
/// frame's aspect (letterboxed).
/// Create, run and dispose it on one thread (GLFW wants the process's main thread on macOS).
/// </summary>
public sealed unsafe class ViewerWindow : IDisposable
{
    [ThreadStatic] private static ViewerWindow? _polling;
    private static int _windowsOnOurGlfw; // GLFW is process-wide: terminated when the last window of ours that initialised it closes
    private readonly bool _initialisedGlfw;
    private readonly nint _window;
    private readonly OverlayRenderer _overlay;
    private SegmentationResult? _shown;
    private Frame? _shownFrame;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _framesThisSecond;
    private double _secondStart;

    /// <summary>Opens a GL 3.3 core window (initialising GLFW when the host has not) with its overlay.</summary>
    public ViewerWindow(string title = "RealtimeSeg", int width = 1280, int height = 720, bool vsync = true, bool visible = true)
    {
        Glfw.EnsureLoaded();
        // A host that runs GLFW itself keeps it: only a GLFW we initialised is ours to terminate.
        _initialisedGlfw = !Glfw.IsInitialized();
        if (!Glfw.Init())
        {
            throw new RendererException($"GLFW could not start: {Glfw.LastError()}; a window needs a display (DISPLAY or WAYLAND_DISPLAY); without one use record, which renders offscreen");
        }
        Glfw.WindowHint(Glfw.ContextVersionMajor, 3);
        Glfw.WindowHint(Glfw.ContextVersionMinor, 3);
        Glfw.WindowHint(Glfw.OpenGlProfile, Glfw.OpenGlCoreProfile);
        Glfw.WindowHint(Glfw.OpenGlForwardCompat, 1);
        Glfw.WindowHint(Glfw.Visible, visible ? 1 : 0);
        _window = Glfw.CreateWindow(width, height, title);
        if (_window == 0)
        {
            string error = Glfw.LastError();
            if (_initialisedGlfw && Volatile.Read(ref _windowsOnOurGlfw) == 0)
            {
                Glfw.Terminate();
            }
            throw new RendererException($"GLFW could not open a {width}x{height} OpenGL 3.3 window: {error}");
        }
        Glfw.MakeContextCurrent(_window);
        Glfw.SwapInterval(vsync ? 1 : 0);
        Gl = GL.GetApi(Glfw.GetProcAddress);
        Glfw.SetKeyCallback(_window, &OnKey);
        _overlay = new OverlayRenderer(Gl);
        if (_initialisedGlfw)
        {
            Interlocked.Increment(ref _windowsOnOurGlfw);
        }
    }

    /// <summary>The window's OpenGL entry points (Silk.NET), for drawing more into it.</summary>
    public GL Gl { get; }

    /// <summary>What is drawn; the keys change it.</summary>
    public OverlayOptions Options { get; set; } = OverlayOptions.Default with { Hud = true };

    /// <summary>Space toggles it: the shown result stays while new ones are ignored.</summary>
    public bool Paused { get; set; }

    /// <summary>Where S saves screenshots.</summary>
    public string ScreenshotFolder { get; set; } = ".";

    /// <summary>The path of the last screenshot saved, if any.</summary>
    public string? LastScreenshot { get; private set; }

    /// <summary>Frames drawn per second, measured over the last whole second.</summary>
    public double RenderFps { get; private set; }

    /// <summary>Frames drawn since the window opened.</summary>
    public long FramesDrawn { get; private set; }

    /// <summary>True once the window was closed, or Q or Esc pressed.</summary>
    public bool ShouldClose => Glfw.WindowShouldClose(_window);

    /// <summary>The drawable size in pixels (may differ from the window size on high-DPI screens).</summary>
    public (int Width, int Height) FramebufferSize => Glfw.GetFramebufferSize(_window);

    /// <summary>Draws until the window is closed (or Q/Esc), taking the newest result from <paramref name="pipeline"/> each frame.</summary>
    public void Run(InferencePipeline pipeline, CancellationToken cancel = default) => Run(pipeline, null, cancel);

    /// <summary>
    /// As <see cref="Run(InferencePipeline, CancellationToken)"/>; with <paramref name="liveFrames"/> (live mode) each
    /// display frame shows the newest camera frame from it, with the newest result moved to that frame's time.
    /// </summary>
    public void Run(InferencePipeline pipeline, FrameTap? liveFrames, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        using var single = new TiledStreams([(pipeline, liveFrames)]); // one stream is a grid of one tile
        Run(single, cancel);
    }

    /// <summary>
    /// Draws several streams until the window is closed (or Q/Esc): each in its tile with its own HUD, the number
    /// keys enlarging one. Space pauses every stream.
    /// </summary>
    public void Run(TiledStreams streams, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(streams);
        Tiles = streams;
        try
        {
            while (!ShouldClose && !cancel.IsCancellationRequested)
            {
                if (!Paused)
                {
                    streams.Update();
                }
                RenderFrame();
            }
        }
        finally
        {
            Tiles = null;
        }
    }

    /// <summary>
    /// Several streams drawn instead of the shown result (the caller updates them); the number keys enlarge one.
    /// <see cref="Run(TiledStreams, CancellationToken)"/> sets it for its run. The window does not own them.
    /// </summary>
    public TiledStreams? Tiles { get; set; }

    /// <summary>Takes over a reference to <paramref name="result"/> as the one drawn from now on.</summary>
    public void Show(SegmentationResult result)
    {
        var previous = _shown;
        _shown = result;
        previous?.Dispose();
    }

    /// <summary>
    /// Live mode: takes over a reference to <paramref name="frame"/> as the picture drawn from now on, with the shown
    /// result's instances moved to its capture time (<see cref="OverlayOptions.Motion"/>).
    /// </summary>
    public void ShowFrame(Frame frame)
    {
        var previous = _shownFrame;
        _shownFrame = frame;
        previous?.Dispose();
    }

    /// <summary>Polls events, draws the shown result (or clears), swaps. One display frame.</summary>
    public void RenderFrame(HudInfo hud = default)
    {
        _polling = this;
        Glfw.PollEvents();
        _polling = null;
        var (w, h) = FramebufferSize;
        Gl.BindFramebuffer(FramebufferTarget.Framebuffer, 0);
        Gl.Viewport(0, 0, (uint)w, (uint)h);
        Gl.ClearColor(0, 0, 0, 1);
        Gl.Clear(ClearBufferMask.ColorBufferBit);
        if (Tiles is not null && w > 0 && h > 0)
        {
            Tiles.Draw(_overlay, new Viewport(0, 0, w, h), Options, RenderFps);
        }
        else if (_shownFrame is not null && w > 0 && h > 0)
        {
            _overlay.Draw(_shownFrame, _shown, new Viewport(0, 0, w, h), Options, hud);
        }
        else if (_shown is not null && w > 0 && h > 0)
        {
            _overlay.Draw(_shown, new Viewport(0, 0, w, h), Options, hud);
        }
        if (_screenshotRequested)
        {
            _screenshotRequested = false;
            LastScreenshot = Screenshot(Path.Combine(ScreenshotFolder, $"realtimeseg-{DateTime.Now:yyyyMMdd-HHmmss-fff}.png"));
        }
        Glfw.SwapBuffers(_window);
        FramesDrawn++;
        _framesThisSecond++;
        double now = _clock.Elapsed.TotalSeconds;
        if (now - _secondStart >= 1)
        {
            RenderFps = _framesThisSecond / (now - _secondStart);
            (_framesThisSecond, _secondStart) = (0, now);
        }
    }

    /// <summary>Saves what the window shows now (the back buffer before the swap) as a PNG; returns the path.</summary>
    public string Screenshot(string path)
    {
        var (w, h) = FramebufferSize;
        using var image = Frame.Allocate(w, h, PixelFormat.Bgra32);
        Gl.BindFramebuffer(FramebufferTarget.Framebuffer, 0);
        OffscreenTarget.ReadBoundFramebuffer(Gl, image);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        Png.WriteAtomically(path, image);
        return path;
    }

    private bool _screenshotRequested;

    /// <summary>What a key press does (GLFW calls this from PollEvents; tests call it directly).</summary>
    internal void HandleKey(int key)
    {
        switch (key)
        {
            case Glfw.KeyM: Options = Options with { Masks = !Options.Masks }; break;
            case Glfw.KeyB: Options = Options with { Boxes = !Options.Boxes }; break;
            case Glfw.KeyL: Options = Options with { Labels = !Options.Labels }; break;
            case Glfw.KeyH: Options = Options with { Hud = !Options.Hud }; break;
            case Glfw.KeySpace: Paused = !Paused; break;
            case Glfw.KeyS: _screenshotRequested = true; break;
            case Glfw.KeyQ or Glfw.KeyEscape: Glfw.SetWindowShouldClose(_window, true); break;
            case >= Glfw.Key0 and <= Glfw.Key9 when Tiles is { } tiles:
                int stream = key - Glfw.Key0;
                if (stream < tiles.Count)
                {
                    tiles.Enlarged = tiles.Enlarged == stream ? null : stream;
                }
                break;
            case Glfw.KeyG when Tiles is { } tiles:
                tiles.Enlarged = null;
                break;
        }
    }

    [UnmanagedCallersOnly]
    private static void OnKey(nint window, int key, int scancode, int action, int mods)
    {
        if (action == Glfw.Press && _polling is { } viewer && viewer._window == window)
        {
            viewer.HandleKey(key);
        }
    }

    private int _disposed;

    /// <summary>Closes the window (on its thread); a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _shown?.Dispose();
        _shown = null;
        _shownFrame?.Dispose();
        _shownFrame = null;
        _overlay.Dispose();
        Glfw.DestroyWindow(_window);
        Gl.Dispose();
        if (_initialisedGlfw && Interlocked.Decrement(ref _windowsOnOurGlfw) == 0)
        {
            Glfw.Terminate();
        }
    }
}
