using Silk.NET.OpenGL;

namespace RealtimeSeg.Renderer.Graphics;

/// <summary>GL errors as exceptions that name the call and, where one is known, the fix.</summary>
internal static class GlErrors
{
    /// <summary>
    /// Throws when the context has recorded an error since the last check, draining every flag.
    /// <paramref name="hostError"/>: what the host had left pending before our calls (<see cref="Drain"/>), named
    /// apart so that neither is mistaken for the other.
    /// </summary>
    public static void Check(GL gl, string where, GLEnum hostError = GLEnum.NoError)
    {
        var error = Drain(gl);
        if (error == GLEnum.NoError)
        {
            return;
        }
        string hint = error == GLEnum.InvalidFramebufferOperation
            ? " (no complete framebuffer is bound: a headless context has no default one; bind a framebuffer, e.g. an OffscreenTarget, first)" : "";
        string host = hostError != GLEnum.NoError ? $"; separately, the host had left {Name(hostError)} pending before the draw" : "";
        throw new RendererException($"OpenGL error {Name(error)} in {where}{hint}{host}");
    }

    /// <summary>
    /// Reads and clears every pending error flag (GL keeps one per kind: leaving others set would blame the next
    /// caller); returns the first, or <see cref="GLEnum.NoError"/>. Bounded: a lost context can report forever.
    /// </summary>
    public static GLEnum Drain(GL gl)
    {
        var first = gl.GetError();
        for (int i = 0; i < 16 && first != GLEnum.NoError && gl.GetError() != GLEnum.NoError; i++)
        {
        }
        return first;
    }

    public static string Name(GLEnum error) => error switch
    {
        GLEnum.InvalidEnum => "GL_INVALID_ENUM",
        GLEnum.InvalidValue => "GL_INVALID_VALUE",
        GLEnum.InvalidOperation => "GL_INVALID_OPERATION",
        GLEnum.OutOfMemory => "GL_OUT_OF_MEMORY",
        GLEnum.InvalidFramebufferOperation => "GL_INVALID_FRAMEBUFFER_OPERATION",
        _ => $"0x{(int)error:X4}",
    };
}
