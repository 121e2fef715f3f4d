using System.Runtime.InteropServices;

namespace RealtimeSeg.Renderer.Native;

/// <summary>
/// The OpenGL 3.3 core entry points the renderer calls, and only those. One function-pointer field and one
/// one-line method per entry point; <see cref="Load"/> fills them from the current context's GetProcAddress
/// (EGL, GLFW or a host's). C types: GLenum/GLbitfield/GLuint → uint, GLint/GLsizei → int, GLboolean → byte,
/// GLfloat → float, GLsizeiptr/GLintptr → nint, GLsync → nint, pointers → nint or T*.
/// Entry points are process-wide: every context this library sees must come from the same driver.
/// </summary>
public static unsafe class Gl
{
    private static delegate* unmanaged<uint> _getError;
    private static delegate* unmanaged<uint, byte*> _getString;
    private static delegate* unmanaged<uint, int*, void> _getIntegerv;
    private static delegate* unmanaged<uint, void> _enable, _disable;
    private static delegate* unmanaged<uint, byte> _isEnabled;
    private static delegate* unmanaged<uint, uint, uint, uint, void> _blendFuncSeparate;
    private static delegate* unmanaged<uint, uint, void> _blendEquationSeparate;
    private static delegate* unmanaged<int, int, int, int, void> _viewport, _scissor;
    private static delegate* unmanaged<float, float, float, float, void> _clearColor;
    private static delegate* unmanaged<uint, void> _clear;
    private static delegate* unmanaged<byte, byte, byte, byte, void> _colorMask;
    private static delegate* unmanaged<int, uint*, void> _genTextures, _deleteTextures, _genBuffers, _deleteBuffers;
    private static delegate* unmanaged<int, uint*, void> _genVertexArrays, _deleteVertexArrays, _genFramebuffers, _deleteFramebuffers, _genQueries, _deleteQueries;
    private static delegate* unmanaged<uint, uint, void> _bindTexture, _bindBuffer, _bindFramebuffer, _beginQuery;
    private static delegate* unmanaged<uint, void> _activeTexture, _bindVertexArray, _useProgram, _endQuery, _deleteProgram, _deleteShader, _compileShader, _linkProgram;
    private static delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void> _texImage2D;
    private static delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void> _texSubImage2D;
    private static delegate* unmanaged<uint, int, int, int, int, int, int, uint, uint, void*, void> _texImage3D;
    private static delegate* unmanaged<uint, int, int, int, int, int, int, int, uint, uint, void*, void> _texSubImage3D;
    private static delegate* unmanaged<uint, uint, int, void> _texParameteri;
    private static delegate* unmanaged<uint, uint, float*, void> _texParameterfv;
    private static delegate* unmanaged<uint, int, void> _pixelStorei;
    private static delegate* unmanaged<uint, nint, void*, uint, void> _bufferData;
    private static delegate* unmanaged<uint, nint, nint, void*, void> _bufferSubData;
    private static delegate* unmanaged<uint, nint, nint, uint, void*> _mapBufferRange;
    private static delegate* unmanaged<uint, byte> _unmapBuffer;
    private static delegate* unmanaged<uint, int, uint, byte, int, nint, void> _vertexAttribPointer;
    private static delegate* unmanaged<uint, void> _enableVertexAttribArray;
    private static delegate* unmanaged<uint, uint, void> _vertexAttribDivisor;
    private static delegate* unmanaged<uint, uint> _createShader;
    private static delegate* unmanaged<uint> _createProgram;
    private static delegate* unmanaged<uint, int, byte**, int*, void> _shaderSource;
    private static delegate* unmanaged<uint, uint, int*, void> _getShaderiv, _getProgramiv;
    private static delegate* unmanaged<uint, int, int*, byte*, void> _getShaderInfoLog, _getProgramInfoLog;
    private static delegate* unmanaged<uint, uint, void> _attachShader;
    private static delegate* unmanaged<uint, byte*, int> _getUniformLocation;
    private static delegate* unmanaged<int, int, void> _uniform1i;
    private static delegate* unmanaged<int, float, void> _uniform1f;
    private static delegate* unmanaged<int, float, float, void> _uniform2f;
    private static delegate* unmanaged<int, int, int, void> _uniform2i;
    private static delegate* unmanaged<int, float, float, float, float, void> _uniform4f;
    private static delegate* unmanaged<uint, int, int, void> _drawArrays;
    private static delegate* unmanaged<uint, int, int, int, void> _drawArraysInstanced;
    private static delegate* unmanaged<uint, uint, uint, uint, int, void> _framebufferTexture2D;
    private static delegate* unmanaged<uint, uint> _checkFramebufferStatus;
    private static delegate* unmanaged<int, int, int, int, uint, uint, void*, void> _readPixels;
    private static delegate* unmanaged<uint, uint, nint> _fenceSync;
    private static delegate* unmanaged<nint, uint, ulong, uint> _clientWaitSync;
    private static delegate* unmanaged<nint, void> _deleteSync;
    private static delegate* unmanaged<uint, uint, ulong*, void> _getQueryObjectui64v;
    private static delegate* unmanaged<uint, uint, int*, void> _getQueryObjectiv;
    private static delegate* unmanaged<void> _finish, _flush;
    private static delegate* unmanaged<delegate* unmanaged<uint, uint, uint, uint, int, byte*, void*, void>, void*, void> _debugMessageCallback;

    /// <summary>True once <see cref="Load"/> has run.</summary>
    public static bool IsLoaded { get; private set; }

    /// <summary>KHR_debug / GL 4.3 debug output is available.</summary>
    public static bool HasDebugOutput => _debugMessageCallback != null;

    /// <summary>Resolves every entry point through <paramref name="getProcAddress"/>; throws naming the first one missing.</summary>
    public static void Load(Func<string, nint> getProcAddress)
    {
        ArgumentNullException.ThrowIfNull(getProcAddress);
        nint Get(string name) => getProcAddress(name) is var p && p != 0 ? p : throw new RendererException($"the OpenGL driver lacks {name}; RealtimeSeg needs OpenGL 3.3 core");
        _getError = (delegate* unmanaged<uint>)Get("glGetError");
        _getString = (delegate* unmanaged<uint, byte*>)Get("glGetString");
        _getIntegerv = (delegate* unmanaged<uint, int*, void>)Get("glGetIntegerv");
        _enable = (delegate* unmanaged<uint, void>)Get("glEnable");
        _disable = (delegate* unmanaged<uint, void>)Get("glDisable");
        _isEnabled = (delegate* unmanaged<uint, byte>)Get("glIsEnabled");
        _blendFuncSeparate = (delegate* unmanaged<uint, uint, uint, uint, void>)Get("glBlendFuncSeparate");
        _blendEquationSeparate = (delegate* unmanaged<uint, uint, void>)Get("glBlendEquationSeparate");
        _viewport = (delegate* unmanaged<int, int, int, int, void>)Get("glViewport");
        _scissor = (delegate* unmanaged<int, int, int, int, void>)Get("glScissor");
        _clearColor = (delegate* unmanaged<float, float, float, float, void>)Get("glClearColor");
        _clear = (delegate* unmanaged<uint, void>)Get("glClear");
        _colorMask = (delegate* unmanaged<byte, byte, byte, byte, void>)Get("glColorMask");
        _genTextures = (delegate* unmanaged<int, uint*, void>)Get("glGenTextures");
        _deleteTextures = (delegate* unmanaged<int, uint*, void>)Get("glDeleteTextures");
        _genBuffers = (delegate* unmanaged<int, uint*, void>)Get("glGenBuffers");
        _deleteBuffers = (delegate* unmanaged<int, uint*, void>)Get("glDeleteBuffers");
        _genVertexArrays = (delegate* unmanaged<int, uint*, void>)Get("glGenVertexArrays");
        _deleteVertexArrays = (delegate* unmanaged<int, uint*, void>)Get("glDeleteVertexArrays");
        _genFramebuffers = (delegate* unmanaged<int, uint*, void>)Get("glGenFramebuffers");
        _deleteFramebuffers = (delegate* unmanaged<int, uint*, void>)Get("glDeleteFramebuffers");
        _genQueries = (delegate* unmanaged<int, uint*, void>)Get("glGenQueries");
        _deleteQueries = (delegate* unmanaged<int, uint*, void>)Get("glDeleteQueries");
        _bindTexture = (delegate* unmanaged<uint, uint, void>)Get("glBindTexture");
        _bindBuffer = (delegate* unmanaged<uint, uint, void>)Get("glBindBuffer");
        _bindFramebuffer = (delegate* unmanaged<uint, uint, void>)Get("glBindFramebuffer");
        _beginQuery = (delegate* unmanaged<uint, uint, void>)Get("glBeginQuery");
        _endQuery = (delegate* unmanaged<uint, void>)Get("glEndQuery");
        _activeTexture = (delegate* unmanaged<uint, void>)Get("glActiveTexture");
        _bindVertexArray = (delegate* unmanaged<uint, void>)Get("glBindVertexArray");
        _useProgram = (delegate* unmanaged<uint, void>)Get("glUseProgram");
        _deleteProgram = (delegate* unmanaged<uint, void>)Get("glDeleteProgram");
        _deleteShader = (delegate* unmanaged<uint, void>)Get("glDeleteShader");
        _compileShader = (delegate* unmanaged<uint, void>)Get("glCompileShader");
        _linkProgram = (delegate* unmanaged<uint, void>)Get("glLinkProgram");
        _texImage2D = (delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void>)Get("glTexImage2D");
        _texSubImage2D = (delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void>)Get("glTexSubImage2D");
        _texImage3D = (delegate* unmanaged<uint, int, int, int, int, int, int, uint, uint, void*, void>)Get("glTexImage3D");
        _texSubImage3D = (delegate* unmanaged<uint, int, int, int, int, int, int, int, uint, uint, void*, void>)Get("glTexSubImage3D");
        _texParameteri = (delegate* unmanaged<uint, uint, int, void>)Get("glTexParameteri");
        _texParameterfv = (delegate* unmanaged<uint, uint, float*, void>)Get("glTexParameterfv");
        _pixelStorei = (delegate* unmanaged<uint, int, void>)Get("glPixelStorei");
        _bufferData = (delegate* unmanaged<uint, nint, void*, uint, void>)Get("glBufferData");
        _bufferSubData = (delegate* unmanaged<uint, nint, nint, void*, void>)Get("glBufferSubData");
        _mapBufferRange = (delegate* unmanaged<uint, nint, nint, uint, void*>)Get("glMapBufferRange");
        _unmapBuffer = (delegate* unmanaged<uint, byte>)Get("glUnmapBuffer");
        _vertexAttribPointer = (delegate* unmanaged<uint, int, uint, byte, int, nint, void>)Get("glVertexAttribPointer");
        _enableVertexAttribArray = (delegate* unmanaged<uint, void>)Get("glEnableVertexAttribArray");
        _vertexAttribDivisor = (delegate* unmanaged<uint, uint, void>)Get("glVertexAttribDivisor");
        _createShader = (delegate* unmanaged<uint, uint>)Get("glCreateShader");
        _createProgram = (delegate* unmanaged<uint>)Get("glCreateProgram");
        _shaderSource = (delegate* unmanaged<uint, int, byte**, int*, void>)Get("glShaderSource");
        _getShaderiv = (delegate* unmanaged<uint, uint, int*, void>)Get("glGetShaderiv");
        _getProgramiv = (delegate* unmanaged<uint, uint, int*, void>)Get("glGetProgramiv");
        _getShaderInfoLog = (delegate* unmanaged<uint, int, int*, byte*, void>)Get("glGetShaderInfoLog");
        _getProgramInfoLog = (delegate* unmanaged<uint, int, int*, byte*, void>)Get("glGetProgramInfoLog");
        _attachShader = (delegate* unmanaged<uint, uint, void>)Get("glAttachShader");
        _getUniformLocation = (delegate* unmanaged<uint, byte*, int>)Get("glGetUniformLocation");
        _uniform1i = (delegate* unmanaged<int, int, void>)Get("glUniform1i");
        _uniform1f = (delegate* unmanaged<int, float, void>)Get("glUniform1f");
        _uniform2f = (delegate* unmanaged<int, float, float, void>)Get("glUniform2f");
        _uniform2i = (delegate* unmanaged<int, int, int, void>)Get("glUniform2i");
        _uniform4f = (delegate* unmanaged<int, float, float, float, float, void>)Get("glUniform4f");
        _drawArrays = (delegate* unmanaged<uint, int, int, void>)Get("glDrawArrays");
        _drawArraysInstanced = (delegate* unmanaged<uint, int, int, int, void>)Get("glDrawArraysInstanced");
        _framebufferTexture2D = (delegate* unmanaged<uint, uint, uint, uint, int, void>)Get("glFramebufferTexture2D");
        _checkFramebufferStatus = (delegate* unmanaged<uint, uint>)Get("glCheckFramebufferStatus");
        _readPixels = (delegate* unmanaged<int, int, int, int, uint, uint, void*, void>)Get("glReadPixels");
        _fenceSync = (delegate* unmanaged<uint, uint, nint>)Get("glFenceSync");
        _clientWaitSync = (delegate* unmanaged<nint, uint, ulong, uint>)Get("glClientWaitSync");
        _deleteSync = (delegate* unmanaged<nint, void>)Get("glDeleteSync");
        _getQueryObjectui64v = (delegate* unmanaged<uint, uint, ulong*, void>)Get("glGetQueryObjectui64v");
        _getQueryObjectiv = (delegate* unmanaged<uint, uint, int*, void>)Get("glGetQueryObjectiv");
        _finish = (delegate* unmanaged<void>)Get("glFinish");
        _flush = (delegate* unmanaged<void>)Get("glFlush");
        _debugMessageCallback = (delegate* unmanaged<delegate* unmanaged<uint, uint, uint, uint, int, byte*, void*, void>, void*, void>)getProcAddress("glDebugMessageCallback");
        IsLoaded = true;
    }

    public static uint GetError() => _getError();
    public static string GetString(uint name) => Marshal.PtrToStringUTF8((nint)_getString(name)) ?? "";
    public static int GetInteger(uint name) { int v; _getIntegerv(name, &v); return v; }
    public static void GetIntegerv(uint name, int* values) => _getIntegerv(name, values);
    public static void Enable(uint cap) => _enable(cap);
    public static void Disable(uint cap) => _disable(cap);
    public static bool IsEnabled(uint cap) => _isEnabled(cap) != 0;
    public static void SetEnabled(uint cap, bool on) { if (on) { _enable(cap); } else { _disable(cap); } }
    public static void BlendFuncSeparate(uint srcRgb, uint dstRgb, uint srcA, uint dstA) => _blendFuncSeparate(srcRgb, dstRgb, srcA, dstA);
    public static void BlendEquationSeparate(uint rgb, uint alpha) => _blendEquationSeparate(rgb, alpha);
    public static void Viewport(int x, int y, int w, int h) => _viewport(x, y, w, h);
    public static void Scissor(int x, int y, int w, int h) => _scissor(x, y, w, h);
    public static void ClearColor(float r, float g, float b, float a) => _clearColor(r, g, b, a);
    public static void Clear(uint mask) => _clear(mask);
    public static void ColorMask(bool r, bool g, bool b, bool a) => _colorMask(r ? (byte)1 : (byte)0, g ? (byte)1 : (byte)0, b ? (byte)1 : (byte)0, a ? (byte)1 : (byte)0);
    public static uint GenTexture() { uint n; _genTextures(1, &n); return n; }
    public static void DeleteTexture(uint n) => _deleteTextures(1, &n);
    public static uint GenBuffer() { uint n; _genBuffers(1, &n); return n; }
    public static void DeleteBuffer(uint n) => _deleteBuffers(1, &n);
    public static uint GenVertexArray() { uint n; _genVertexArrays(1, &n); return n; }
    public static void DeleteVertexArray(uint n) => _deleteVertexArrays(1, &n);
    public static uint GenFramebuffer() { uint n; _genFramebuffers(1, &n); return n; }
    public static void DeleteFramebuffer(uint n) => _deleteFramebuffers(1, &n);
    public static uint GenQuery() { uint n; _genQueries(1, &n); return n; }
    public static void DeleteQuery(uint n) => _deleteQueries(1, &n);
    public static void BindTexture(uint target, uint texture) => _bindTexture(target, texture);
    public static void BindBuffer(uint target, uint buffer) => _bindBuffer(target, buffer);
    public static void BindFramebuffer(uint target, uint fb) => _bindFramebuffer(target, fb);
    public static void BeginQuery(uint target, uint query) => _beginQuery(target, query);
    public static void EndQuery(uint target) => _endQuery(target);
    public static void ActiveTexture(uint unit) => _activeTexture(unit);
    public static void BindVertexArray(uint vao) => _bindVertexArray(vao);
    public static void UseProgram(uint program) => _useProgram(program);
    public static void DeleteProgram(uint program) => _deleteProgram(program);
    public static void DeleteShader(uint shader) => _deleteShader(shader);
    public static void CompileShader(uint shader) => _compileShader(shader);
    public static void LinkProgram(uint program) => _linkProgram(program);
    public static void TexImage2D(uint target, int level, int internalFormat, int w, int h, uint format, uint type, void* pixels) => _texImage2D(target, level, internalFormat, w, h, 0, format, type, pixels);
    public static void TexSubImage2D(uint target, int level, int x, int y, int w, int h, uint format, uint type, void* pixels) => _texSubImage2D(target, level, x, y, w, h, format, type, pixels);
    public static void TexImage3D(uint target, int level, int internalFormat, int w, int h, int d, uint format, uint type, void* pixels) => _texImage3D(target, level, internalFormat, w, h, d, 0, format, type, pixels);
    public static void TexSubImage3D(uint target, int level, int x, int y, int z, int w, int h, int d, uint format, uint type, void* pixels) => _texSubImage3D(target, level, x, y, z, w, h, d, format, type, pixels);
    public static void TexParameter(uint target, uint name, int value) => _texParameteri(target, name, value);
    public static void TexParameter(uint target, uint name, float* values) => _texParameterfv(target, name, values);
    public static void PixelStore(uint name, int value) => _pixelStorei(name, value);
    public static void BufferData(uint target, nint size, void* data, uint usage) => _bufferData(target, size, data, usage);
    public static void BufferSubData(uint target, nint offset, nint size, void* data) => _bufferSubData(target, offset, size, data);
    public static void* MapBufferRange(uint target, nint offset, nint length, uint access) => _mapBufferRange(target, offset, length, access);
    public static bool UnmapBuffer(uint target) => _unmapBuffer(target) != 0;
    public static void VertexAttribPointer(uint index, int size, uint type, bool normalized, int stride, nint offset) => _vertexAttribPointer(index, size, type, normalized ? (byte)1 : (byte)0, stride, offset);
    public static void EnableVertexAttribArray(uint index) => _enableVertexAttribArray(index);
    public static void VertexAttribDivisor(uint index, uint divisor) => _vertexAttribDivisor(index, divisor);
    public static uint CreateShader(uint type) => _createShader(type);
    public static uint CreateProgram() => _createProgram();
    public static void ShaderSource(uint shader, byte* source, int length) => _shaderSource(shader, 1, &source, &length);
    public static int GetShader(uint shader, uint name) { int v; _getShaderiv(shader, name, &v); return v; }
    public static int GetProgram(uint program, uint name) { int v; _getProgramiv(program, name, &v); return v; }
    public static void GetShaderInfoLog(uint shader, int size, int* length, byte* log) => _getShaderInfoLog(shader, size, length, log);
    public static void GetProgramInfoLog(uint program, int size, int* length, byte* log) => _getProgramInfoLog(program, size, length, log);
    public static void AttachShader(uint program, uint shader) => _attachShader(program, shader);
    public static int GetUniformLocation(uint program, byte* name) => _getUniformLocation(program, name);
    public static void Uniform(int location, int v) => _uniform1i(location, v);
    public static void Uniform(int location, float v) => _uniform1f(location, v);
    public static void Uniform(int location, float x, float y) => _uniform2f(location, x, y);
    public static void UniformInt2(int location, int x, int y) => _uniform2i(location, x, y);
    public static void Uniform(int location, float x, float y, float z, float w) => _uniform4f(location, x, y, z, w);
    public static void DrawArrays(uint mode, int first, int count) => _drawArrays(mode, first, count);
    public static void DrawArraysInstanced(uint mode, int first, int count, int instances) => _drawArraysInstanced(mode, first, count, instances);
    public static void FramebufferTexture2D(uint target, uint attachment, uint texTarget, uint texture, int level) => _framebufferTexture2D(target, attachment, texTarget, texture, level);
    public static uint CheckFramebufferStatus(uint target) => _checkFramebufferStatus(target);
    public static void ReadPixels(int x, int y, int w, int h, uint format, uint type, void* pixels) => _readPixels(x, y, w, h, format, type, pixels);
    public static nint FenceSync() => _fenceSync(GlConst.SyncGpuCommandsComplete, 0);
    public static uint ClientWaitSync(nint sync, uint flags, ulong timeoutNs) => _clientWaitSync(sync, flags, timeoutNs);
    public static void DeleteSync(nint sync) => _deleteSync(sync);
    public static ulong GetQueryResult(uint query) { ulong v; _getQueryObjectui64v(query, GlConst.QueryResult, &v); return v; }
    public static bool IsQueryResultAvailable(uint query) { int v; _getQueryObjectiv(query, GlConst.QueryResultAvailable, &v); return v != 0; }
    public static void Finish() => _finish();
    public static void Flush() => _flush();
    public static void DebugMessageCallback(delegate* unmanaged<uint, uint, uint, uint, int, byte*, void*, void> callback, void* user) => _debugMessageCallback(callback, user);

    /// <summary>Throws with the error's name when the last calls failed; the renderer calls it after each pass.</summary>
    public static void Check(string where)
    {
        uint error = _getError();
        if (error != GlConst.NoError)
        {
            // Drain: GL keeps a flag per error kind; leaving others set would blame the next caller.
            while (_getError() != GlConst.NoError)
            {
            }
            string hint = error == GlConst.InvalidFramebufferOperation
                ? " (no complete framebuffer is bound: a headless context has no default one; bind an OffscreenTarget first)" : "";
            throw new RendererException($"OpenGL error {GlConst.ErrorName(error)} in {where}{hint}");
        }
    }
}
