using Silk.NET.OpenGL;

namespace RealtimeSeg.Renderer.Graphics;

/// <summary>GL errors as exceptions that name the call and, where one is known, the fix.</summary>
internal static class GlErrors
{
    /// <summary>Throws when the context has recorded an error since the last check, draining every flag.</summary>
    public static void Check(GL gl, string where)
    {
        var error = gl.GetError();
        if (error == GLEnum.NoError)
        {
            return;
        }
        // Drain: GL keeps a flag per error kind; leaving others set would blame the next caller.
        while (gl.GetError() != GLEnum.NoError)
        {
        }
        string hint = error == GLEnum.InvalidFramebufferOperation
            ? " (no complete framebuffer is bound: a headless context has no default one; bind an OffscreenTarget first)" : "";
        throw new RendererException($"OpenGL error {Name(error)} in {where}{hint}");
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
