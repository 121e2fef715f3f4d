using System.Reflection;
using System.Text;
using RealtimeSeg.Renderer.Native;

namespace RealtimeSeg.Renderer.Graphics;

/// <summary>
/// A linked GLSL program with its uniform locations looked up once. Sources are the embedded files from
/// <c>shaders/</c>, each stage prefixed with <c>#version 330 core</c> and <c>common.glsl</c>. A compile or link
/// failure throws with the driver's log, so a broken shader names its line.
/// </summary>
internal sealed unsafe class ShaderProgram : IDisposable
{
    private readonly Dictionary<string, int> _uniforms = new(StringComparer.Ordinal);

    private ShaderProgram(uint handle, string name)
    {
        Handle = handle;
        Name = name;
    }

    public uint Handle { get; private set; }

    public string Name { get; }

    /// <summary>Loads <c>shaders/{name}.vert</c> and <c>.frag</c> from the assembly and builds them.</summary>
    public static ShaderProgram FromEmbedded(string name) =>
        Build(name, Embedded($"{name}.vert"), Embedded($"{name}.frag"));

    public static string Embedded(string file)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"shaders/{file}")
            ?? throw new RendererException($"shader {file} is not embedded in the renderer assembly (build problem)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Compiles and links the two stages (bodies without #version; common.glsl is prepended).</summary>
    public static ShaderProgram Build(string name, string vertexBody, string fragmentBody)
    {
        string common = Embedded("common.glsl");
        uint vs = Compile(name + ".vert", GlConst.VertexShader, $"#version 330 core\n#define VERTEX_SHADER\n{common}\n#line 1 1\n{vertexBody}");
        uint fs;
        try
        {
            fs = Compile(name + ".frag", GlConst.FragmentShader, $"#version 330 core\n{common}\n#line 1 1\n{fragmentBody}");
        }
        catch
        {
            Native.Gl.DeleteShader(vs);
            throw;
        }
        uint program = Native.Gl.CreateProgram();
        Native.Gl.AttachShader(program, vs);
        Native.Gl.AttachShader(program, fs);
        Native.Gl.LinkProgram(program);
        Native.Gl.DeleteShader(vs); // flagged for deletion; freed with the program
        Native.Gl.DeleteShader(fs);
        if (Native.Gl.GetProgram(program, GlConst.LinkStatus) == 0)
        {
            string log = ProgramLog(program);
            Native.Gl.DeleteProgram(program);
            throw new RendererException($"shader program {name} failed to link: {log}");
        }
        return new ShaderProgram(program, name);
    }

    public int Uniform(string name)
    {
        if (!_uniforms.TryGetValue(name, out int location))
        {
            var bytes = Encoding.ASCII.GetBytes(name + "\0");
            fixed (byte* p = bytes)
            {
                location = Native.Gl.GetUniformLocation(Handle, p);
            }
            _uniforms[name] = location; // -1 when the compiler removed an unused uniform: setting it is a no-op
        }
        return location;
    }

    private static uint Compile(string file, uint stage, string source)
    {
        uint shader = Native.Gl.CreateShader(stage);
        var bytes = Encoding.UTF8.GetBytes(source);
        fixed (byte* p = bytes)
        {
            Native.Gl.ShaderSource(shader, p, bytes.Length);
        }
        Native.Gl.CompileShader(shader);
        if (Native.Gl.GetShader(shader, GlConst.CompileStatus) == 0)
        {
            int length = Math.Max(1, Native.Gl.GetShader(shader, GlConst.InfoLogLength));
            var log = new byte[length];
            fixed (byte* l = log)
            {
                Native.Gl.GetShaderInfoLog(shader, length, null, l);
            }
            Native.Gl.DeleteShader(shader);
            // "#line 1 1" makes the driver number lines from the top of the file (source string 1 = the file).
            throw new RendererException($"shader {file} failed to compile: {Encoding.UTF8.GetString(log).TrimEnd('\0', '\n', ' ').Replace('\n', ' ')}");
        }
        return shader;
    }

    private static string ProgramLog(uint program)
    {
        int length = Math.Max(1, Native.Gl.GetProgram(program, GlConst.InfoLogLength));
        var log = new byte[length];
        fixed (byte* l = log)
        {
            Native.Gl.GetProgramInfoLog(program, length, null, l);
        }
        return Encoding.UTF8.GetString(log).TrimEnd('\0', '\n', ' ').Replace('\n', ' ');
    }

    public void Dispose()
    {
        if (Handle != 0)
        {
            Native.Gl.DeleteProgram(Handle);
            Handle = 0;
        }
    }
}
