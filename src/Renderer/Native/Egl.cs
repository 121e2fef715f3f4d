using System.Runtime.InteropServices;

namespace RealtimeSeg.Renderer.Native;

/// <summary>
/// The EGL 1.5 entry points for a headless OpenGL context (libEGL.so.1: Debian's libegl1 with Mesa, or a GPU
/// vendor's). C types: EGLDisplay/EGLContext/EGLSurface/EGLConfig → nint, EGLint → int, EGLenum → uint,
/// EGLBoolean → uint.
/// </summary>
internal static unsafe class Egl
{
    public const uint PlatformSurfacelessMesa = 0x31DD;
    public const int None = 0x3038, SurfaceType = 0x3033, PbufferBit = 0x0001, RenderableType = 0x3040, OpenGlBit = 0x0008;
    public const int RedSize = 0x3024, GreenSize = 0x3023, BlueSize = 0x3022, AlphaSize = 0x3021, Width = 0x3057, Height = 0x3056;
    public const int ContextMajorVersion = 0x3098, ContextMinorVersion = 0x30FB, ContextOpenGlProfileMask = 0x30FD, ContextOpenGlCoreProfileBit = 0x1;
    public const int ContextOpenGlDebug = 0x31B0;
    public const uint OpenGlApi = 0x30A2;
    public const int Success = 0x3000, Extensions = 0x3055, Vendor = 0x3053, VersionString = 0x3054;

    private static nint _library;
    private static delegate* unmanaged<byte*, nint> _getProcAddress;
    private static delegate* unmanaged<int> _getError;
    private static delegate* unmanaged<nint, nint> _getDisplay;
    private static delegate* unmanaged<uint, nint, nint*, nint> _getPlatformDisplay;
    private static delegate* unmanaged<nint, int*, int*, uint> _initialize;
    private static delegate* unmanaged<nint, uint> _terminate;
    private static delegate* unmanaged<uint, uint> _bindApi;
    private static delegate* unmanaged<nint, int*, nint*, int, int*, uint> _chooseConfig;
    private static delegate* unmanaged<nint, nint, nint, int*, nint> _createContext;
    private static delegate* unmanaged<nint, nint, uint> _destroyContext;
    private static delegate* unmanaged<nint, nint, int*, nint> _createPbufferSurface;
    private static delegate* unmanaged<nint, nint, uint> _destroySurface;
    private static delegate* unmanaged<nint, nint, nint, nint, uint> _makeCurrent;
    private static delegate* unmanaged<nint, int, byte*> _queryString;
    private static delegate* unmanaged<uint> _releaseThread;

    /// <summary>Loads libEGL once; throws with the package to install when it is missing.</summary>
    public static void EnsureLoaded()
    {
        if (_library != 0)
        {
            return;
        }
        if (!NativeLibrary.TryLoad("libEGL.so.1", out var lib) && !NativeLibrary.TryLoad("libEGL.so", out lib))
        {
            throw new RendererException("libEGL.so.1 was not found; install it with: sudo apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri (Debian/Ubuntu)");
        }
        nint Get(string name) => NativeLibrary.TryGetExport(lib, name, out var p) ? p : throw new RendererException($"libEGL lacks {name}; RealtimeSeg needs EGL 1.5");
        _getProcAddress = (delegate* unmanaged<byte*, nint>)Get("eglGetProcAddress");
        _getError = (delegate* unmanaged<int>)Get("eglGetError");
        _getDisplay = (delegate* unmanaged<nint, nint>)Get("eglGetDisplay");
        _getPlatformDisplay = (delegate* unmanaged<uint, nint, nint*, nint>)Get("eglGetPlatformDisplay");
        _initialize = (delegate* unmanaged<nint, int*, int*, uint>)Get("eglInitialize");
        _terminate = (delegate* unmanaged<nint, uint>)Get("eglTerminate");
        _bindApi = (delegate* unmanaged<uint, uint>)Get("eglBindAPI");
        _chooseConfig = (delegate* unmanaged<nint, int*, nint*, int, int*, uint>)Get("eglChooseConfig");
        _createContext = (delegate* unmanaged<nint, nint, nint, int*, nint>)Get("eglCreateContext");
        _destroyContext = (delegate* unmanaged<nint, nint, uint>)Get("eglDestroyContext");
        _createPbufferSurface = (delegate* unmanaged<nint, nint, int*, nint>)Get("eglCreatePbufferSurface");
        _destroySurface = (delegate* unmanaged<nint, nint, uint>)Get("eglDestroySurface");
        _makeCurrent = (delegate* unmanaged<nint, nint, nint, nint, uint>)Get("eglMakeCurrent");
        _queryString = (delegate* unmanaged<nint, int, byte*>)Get("eglQueryString");
        _releaseThread = (delegate* unmanaged<uint>)Get("eglReleaseThread");
        _library = lib;
    }

    public static nint GetProcAddress(string name)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* p = bytes)
        {
            return _getProcAddress(p);
        }
    }

    public static int GetError() => _getError();
    public static nint GetDisplay(nint nativeDisplay) => _getDisplay(nativeDisplay);
    public static nint GetPlatformDisplay(uint platform, nint nativeDisplay) => _getPlatformDisplay(platform, nativeDisplay, null);
    public static bool Initialize(nint display, out int major, out int minor) { int a, b; bool ok = _initialize(display, &a, &b) != 0; (major, minor) = (a, b); return ok; }
    public static void Terminate(nint display) => _terminate(display);
    public static bool BindApi(uint api) => _bindApi(api) != 0;
    public static bool ChooseConfig(nint display, int* attributes, out nint config) { nint c; int n; bool ok = _chooseConfig(display, attributes, &c, 1, &n) != 0 && n > 0; config = c; return ok; }
    public static nint CreateContext(nint display, nint config, int* attributes) => _createContext(display, config, 0, attributes);
    public static void DestroyContext(nint display, nint context) => _destroyContext(display, context);
    public static nint CreatePbufferSurface(nint display, nint config, int* attributes) => _createPbufferSurface(display, config, attributes);
    public static void DestroySurface(nint display, nint surface) => _destroySurface(display, surface);
    public static bool MakeCurrent(nint display, nint draw, nint read, nint context) => _makeCurrent(display, draw, read, context) != 0;
    public static string QueryString(nint display, int name) => Marshal.PtrToStringUTF8((nint)_queryString(display, name)) ?? "";
    public static void ReleaseThread() => _releaseThread();
}
