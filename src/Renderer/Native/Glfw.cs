using System.Runtime.InteropServices;
using System.Text;

namespace RealtimeSeg.Renderer.Native;

/// <summary>
/// The GLFW 3.3 entry points for a window with an OpenGL 3.3 core context (Debian's libglfw3). C types:
/// GLFWwindow*/GLFWmonitor* → nint, int → int, double → double, const char* → byte*.
/// </summary>
internal static unsafe class Glfw
{
    public const int ContextVersionMajor = 0x00022002, ContextVersionMinor = 0x00022003, OpenGlProfile = 0x00022008;
    public const int OpenGlCoreProfile = 0x00032001, OpenGlForwardCompat = 0x00022006, Visible = 0x00020004, Resizable = 0x00020003;
    public const int Press = 1, Repeat = 2;
    public const int KeySpace = 32, Key0 = 48, Key9 = 57, KeyB = 66, KeyG = 71, KeyH = 72, KeyL = 76, KeyM = 77, KeyQ = 81, KeyS = 83, KeyEscape = 256;

    private static nint _library;
    private static delegate* unmanaged<int> _init;
    private static delegate* unmanaged<void> _terminate;
    private static delegate* unmanaged<int, int, void> _windowHint;
    private static delegate* unmanaged<int, int, byte*, nint, nint, nint> _createWindow;
    private static delegate* unmanaged<nint, void> _destroyWindow, _makeContextCurrent, _swapBuffers;
    private static delegate* unmanaged<byte*, nint> _getProcAddress;
    private static delegate* unmanaged<int, void> _swapInterval;
    private static delegate* unmanaged<void> _pollEvents;
    private static delegate* unmanaged<nint, int> _windowShouldClose;
    private static delegate* unmanaged<nint, int, void> _setWindowShouldClose;
    private static delegate* unmanaged<nint, int*, int*, void> _getFramebufferSize;
    private static delegate* unmanaged<nint, delegate* unmanaged<nint, int, int, int, int, void>, nint> _setKeyCallback;
    private static delegate* unmanaged<byte**, int> _getError;
    private static delegate* unmanaged<nint, byte*, void> _setWindowTitle;
    private static delegate* unmanaged<double> _getTime;
    private const int NotInitialized = 0x00010001;

    public static void EnsureLoaded()
    {
        if (_library != 0)
        {
            return;
        }
        if (!NativeLibrary.TryLoad("libglfw.so.3", out var lib) && !NativeLibrary.TryLoad("glfw3", out lib) && !NativeLibrary.TryLoad("glfw", out lib))
        {
            throw new RendererException("GLFW 3 was not found; install it with: sudo apt-get install libglfw3 (Debian/Ubuntu), brew install glfw (macOS)");
        }
        nint Get(string name) => NativeLibrary.TryGetExport(lib, name, out var p) ? p : throw new RendererException($"the GLFW library lacks {name}; RealtimeSeg needs GLFW 3.3");
        _init = (delegate* unmanaged<int>)Get("glfwInit");
        _terminate = (delegate* unmanaged<void>)Get("glfwTerminate");
        _windowHint = (delegate* unmanaged<int, int, void>)Get("glfwWindowHint");
        _createWindow = (delegate* unmanaged<int, int, byte*, nint, nint, nint>)Get("glfwCreateWindow");
        _destroyWindow = (delegate* unmanaged<nint, void>)Get("glfwDestroyWindow");
        _makeContextCurrent = (delegate* unmanaged<nint, void>)Get("glfwMakeContextCurrent");
        _swapBuffers = (delegate* unmanaged<nint, void>)Get("glfwSwapBuffers");
        _getProcAddress = (delegate* unmanaged<byte*, nint>)Get("glfwGetProcAddress");
        _swapInterval = (delegate* unmanaged<int, void>)Get("glfwSwapInterval");
        _pollEvents = (delegate* unmanaged<void>)Get("glfwPollEvents");
        _windowShouldClose = (delegate* unmanaged<nint, int>)Get("glfwWindowShouldClose");
        _setWindowShouldClose = (delegate* unmanaged<nint, int, void>)Get("glfwSetWindowShouldClose");
        _getFramebufferSize = (delegate* unmanaged<nint, int*, int*, void>)Get("glfwGetFramebufferSize");
        _setKeyCallback = (delegate* unmanaged<nint, delegate* unmanaged<nint, int, int, int, int, void>, nint>)Get("glfwSetKeyCallback");
        _getError = (delegate* unmanaged<byte**, int>)Get("glfwGetError");
        _setWindowTitle = (delegate* unmanaged<nint, byte*, void>)Get("glfwSetWindowTitle");
        _getTime = (delegate* unmanaged<double>)Get("glfwGetTime");
        _library = lib;
    }

    public static bool Init() => _init() != 0;

    /// <summary>
    /// Whether GLFW is initialised already (by the host, say). GLFW has no query for it; any call before init
    /// reports GLFW_NOT_INITIALIZED, and glfwGetTime has no other effect.
    /// </summary>
    public static bool IsInitialized()
    {
        _getError(null); // clear an older error
        _getTime();
        return _getError(null) != NotInitialized;
    }

    public static void Terminate() => _terminate();
    public static void WindowHint(int hint, int value) => _windowHint(hint, value);

    public static nint CreateWindow(int width, int height, string title)
    {
        var bytes = Encoding.UTF8.GetBytes(title + "\0");
        fixed (byte* t = bytes)
        {
            return _createWindow(width, height, t, 0, 0);
        }
    }

    public static void DestroyWindow(nint window) => _destroyWindow(window);
    public static void MakeContextCurrent(nint window) => _makeContextCurrent(window);
    public static void SwapBuffers(nint window) => _swapBuffers(window);
    public static void SwapInterval(int interval) => _swapInterval(interval);
    public static void PollEvents() => _pollEvents();
    public static bool WindowShouldClose(nint window) => _windowShouldClose(window) != 0;
    public static void SetWindowShouldClose(nint window, bool close) => _setWindowShouldClose(window, close ? 1 : 0);
    public static (int Width, int Height) GetFramebufferSize(nint window) { int w, h; _getFramebufferSize(window, &w, &h); return (w, h); }
    public static void SetKeyCallback(nint window, delegate* unmanaged<nint, int, int, int, int, void> callback) => _setKeyCallback(window, callback);

    public static nint GetProcAddress(string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* p = bytes)
        {
            return _getProcAddress(p);
        }
    }

    public static void SetWindowTitle(nint window, string title)
    {
        var bytes = Encoding.UTF8.GetBytes(title + "\0");
        fixed (byte* t = bytes)
        {
            _setWindowTitle(window, t);
        }
    }

    /// <summary>GLFW's description of its last error, or an empty string.</summary>
    public static string LastError()
    {
        byte* description = null;
        int code = _getError(&description);
        return code == 0 ? "" : $"{Marshal.PtrToStringUTF8((nint)description)} (GLFW error 0x{code:X})";
    }
}
