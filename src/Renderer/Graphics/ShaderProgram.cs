using System.Reflection;
using Silk.NET.OpenGL;

namespace RealtimeSeg.Renderer.Graphics;

/// <summary>
/// A linked GLSL program with its uniform locations looked up once. Sources are the embedded files from
/// <c>shaders/</c>, each stage prefixed with <c>#version 330 core</c> and <c>common.glsl</c>. A compile or link
/// failure throws with the driver's log, so a broken shader names its line. Deleted through its owner's
/// <see cref="GlObjects"/>, on the GL thread.
/// </summary>
internal sealed class ShaderProgram
{
    private readonly GL _gl;
    private readonly Dictionary<string, int> _uniforms = new(StringComparer.Ordinal);

    private ShaderProgram(GL gl, uint handle, string name)
    {
        _gl = gl;
        Handle = handle;
        Name = name;
    }

    public uint Handle { get; }

    public string Name { get; }

    /// <summary>Loads <c>shaders/{name}.vert</c> and <c>.frag</c> from the assembly and builds them.</summary>
    public static ShaderProgram FromEmbedded(GL gl, string name) =>
        Build(gl, name, Embedded($"{name}.vert"), Embedded($"{name}.frag"));

    public static string Embedded(string file)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"shaders/{file}")
            ?? throw new RendererException($"shader {file} is not embedded in the renderer assembly (build problem)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Compiles and links the two stages (bodies without #version; common.glsl is prepended).</summary>
    public static ShaderProgram Build(GL gl, string name, string vertexBody, string fragmentBody)
    {
        ArgumentNullException.ThrowIfNull(gl);
        string common = Embedded("common.glsl");
        uint vs = Compile(gl, name + ".vert", ShaderType.VertexShader, $"#version 330 core\n#define VERTEX_SHADER\n{common}\n#line 1 1\n{vertexBody}");
        uint fs;
        try
        {
            fs = Compile(gl, name + ".frag", ShaderType.FragmentShader, $"#version 330 core\n{common}\n#line 1 1\n{fragmentBody}");
        }
        catch
        {
            gl.DeleteShader(vs);
            throw;
        }
        uint program = gl.CreateProgram();
        gl.AttachShader(program, vs);
        gl.AttachShader(program, fs);
        gl.LinkProgram(program);
        gl.DeleteShader(vs); // flagged for deletion; freed with the program
        gl.DeleteShader(fs);
        if (gl.GetProgram(program, GLEnum.LinkStatus) == 0)
        {
            string log = OneLine(gl.GetProgramInfoLog(program));
            gl.DeleteProgram(program);
            throw new RendererException($"shader program {name} failed to link: {log}");
        }
        return new ShaderProgram(gl, program, name);
    }

    /// <summary>A uniform's location, looked up once (at set-up: the lookup by string allocates).</summary>
    public int Uniform(string name)
    {
        if (!_uniforms.TryGetValue(name, out int location))
        {
            location = _gl.GetUniformLocation(Handle, name);
            _uniforms[name] = location; // -1 when the compiler removed an unused uniform: setting it is a no-op
        }
        return location;
    }

    private static uint Compile(GL gl, string file, ShaderType stage, string source)
    {
        uint shader = gl.CreateShader(stage);
        gl.ShaderSource(shader, source);
        gl.CompileShader(shader);
        if (gl.GetShader(shader, GLEnum.CompileStatus) == 0)
        {
            string log = OneLine(gl.GetShaderInfoLog(shader));
            gl.DeleteShader(shader);
            // "#line 1 1" makes the driver number lines from the top of the file (source string 1 = the file).
            throw new RendererException($"shader {file} failed to compile: {log}");
        }
        return shader;
    }

    private static string OneLine(string log) => log.TrimEnd('\0', '\n', ' ').Replace('\n', ' ');
}
