using RealtimeSeg.Renderer.Native;
using Silk.NET.OpenGL;

namespace RealtimeSeg.Renderer;

/// <summary>
/// A headless OpenGL 3.3+ core context: Mesa's surfaceless platform (llvmpipe on a machine without a GPU),
/// else the default EGL display (a GPU vendor's EGL). There is no window: draw into an <see cref="OffscreenTarget"/>.
/// The context is current on the thread that created it until <see cref="Dispose"/> (call both there).
/// </summary>
public sealed unsafe class EglContext : IDisposable
{
    private nint _display, _context, _surface;
    private GlDebugOutput? _debug;

    /// <param name="debug">A debug context whose driver messages go to <see cref="DebugMessage"/>.</param>
    public EglContext(bool debug = false)
    {
        Egl.EnsureLoaded();
        // Surfaceless first: it needs no X server and no GPU; a vendor EGL answers on the default display.
        _display = Egl.GetPlatformDisplay(Egl.PlatformSurfacelessMesa, 0);
        if (_display == 0 || !Egl.Initialize(_display, out _, out _))
        {
            _display = Egl.GetDisplay(0);
            if (_display == 0 || !Egl.Initialize(_display, out _, out _))
            {
                throw new RendererException($"no EGL display could be initialised (EGL error 0x{Egl.GetError():X4}); install Mesa (sudo apt-get install libegl-mesa0 libgl1-mesa-dri) or a GPU driver with EGL");
            }
        }
        if (!Egl.BindApi(Egl.OpenGlApi))
        {
            throw new RendererException($"this EGL cannot create desktop OpenGL contexts (EGL error 0x{Egl.GetError():X4})");
        }
        int* configAttributes = stackalloc int[]
        {
            Egl.SurfaceType, Egl.PbufferBit, Egl.RenderableType, Egl.OpenGlBit,
            Egl.RedSize, 8, Egl.GreenSize, 8, Egl.BlueSize, 8, Egl.AlphaSize, 8, Egl.None,
        };
        if (!Egl.ChooseConfig(_display, configAttributes, out nint config))
        {
            throw new RendererException($"EGL offers no RGBA8 OpenGL config (EGL error 0x{Egl.GetError():X4})");
        }
        int* contextAttributes = stackalloc int[]
        {
            Egl.ContextMajorVersion, 3, Egl.ContextMinorVersion, 3,
            Egl.ContextOpenGlProfileMask, Egl.ContextOpenGlCoreProfileBit,
            Egl.ContextOpenGlDebug, debug ? 1 : 0, Egl.None,
        };
        _context = Egl.CreateContext(_display, config, contextAttributes);
        if (_context == 0)
        {
            throw new RendererException($"EGL could not create an OpenGL 3.3 core context (EGL error 0x{Egl.GetError():X4})");
        }
        // Surfaceless contexts need EGL_KHR_surfaceless_context; otherwise a 1x1 pbuffer stands in.
        if (!Egl.QueryString(_display, Egl.Extensions).Contains("EGL_KHR_surfaceless_context", StringComparison.Ordinal))
        {
            int* pbuffer = stackalloc int[] { Egl.Width, 1, Egl.Height, 1, Egl.None };
            _surface = Egl.CreatePbufferSurface(_display, config, pbuffer);
        }
        MakeCurrent();
        // EGL's entry points do not depend on the context; this GL instance is this context's, nobody else's.
        Gl = GL.GetApi(Egl.GetProcAddress);
        if (debug)
        {
            _debug = new GlDebugOutput(Gl, text => DebugMessage?.Invoke(text));
        }
        Renderer = Gl.GetStringS(StringName.Renderer);
        Version = Gl.GetStringS(StringName.Version);
    }

    /// <summary>This context's OpenGL entry points (Silk.NET): pass it to <see cref="OverlayRenderer"/> and <see cref="OffscreenTarget"/>.</summary>
    public GL Gl { get; }

    /// <summary>On a debug context, each driver message of medium or high severity, as one line.</summary>
    public event Action<string>? DebugMessage;

    /// <summary>The GL renderer string, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)" or the GPU's name.</summary>
    public string Renderer { get; }

    /// <summary>The GL version string, e.g. "4.5 (Core Profile) Mesa 22.3.6".</summary>
    public string Version { get; }

    /// <summary>Makes this context current on the calling thread (needed before using it on another thread, or after another context).</summary>
    public void MakeCurrent()
    {
        if (!Egl.MakeCurrent(_display, _surface, _surface, _context))
        {
            throw new RendererException($"eglMakeCurrent failed (EGL error 0x{Egl.GetError():X4})");
        }
    }

    /// <summary>Releases the context from the calling thread (so that another thread can make it current).</summary>
    public void ReleaseCurrent()
    {
        if (!Egl.MakeCurrent(_display, 0, 0, 0))
        {
            throw new RendererException($"eglMakeCurrent(EGL_NO_CONTEXT) failed (EGL error 0x{Egl.GetError():X4})");
        }
    }

    /// <summary>Destroys the context (on its thread); a second call does nothing.</summary>
    public void Dispose()
    {
        if (_display == 0)
        {
            return;
        }
        _debug?.Dispose();
        Egl.MakeCurrent(_display, 0, 0, 0);
        if (_surface != 0)
        {
            Egl.DestroySurface(_display, _surface);
        }
        if (_context != 0)
        {
            Egl.DestroyContext(_display, _context);
        }
        // The display is shared process-wide by EGL; terminating it would pull it from under other contexts.
        Egl.ReleaseThread();
        (_display, _context, _surface) = (0, 0, 0);
        Gl.Dispose();
    }
}
