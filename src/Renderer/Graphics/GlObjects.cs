using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Silk.NET.OpenGL;

namespace RealtimeSeg.Renderer.Graphics;

/// <summary>The kinds of GL object RealtimeSeg creates, each deleted by its own call.</summary>
internal enum GlObjectKind { Texture, Buffer, VertexArray, Framebuffer, Query, Program, Sync }

/// <summary>One GL object: its kind and its name (a sync object's handle for <see cref="GlObjectKind.Sync"/>).</summary>
internal readonly record struct GlObject(GlObjectKind Kind, nint Name);

/// <summary>
/// The GL objects one owner (a renderer, a target) created, deleted exactly once on the thread that owns their
/// context: a <see cref="Delete"/> from any other thread queues them for that context instead (as osu!framework
/// and Veldrid do), and the context's next <see cref="OverlayRenderer"/> draw, or <see cref="GlDeletions.Flush"/>,
/// deletes them there. GL calls from a thread where the context is not current would hit whatever context that
/// thread has, or none. An owner collected without Dispose is caught by the finalizer here, which queues the same
/// way (a finalizer thread never has the context).
/// </summary>
internal sealed class GlObjects
{
    private readonly GL _gl;
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private readonly List<GlObject> _objects = [];
    private int _deleted;

    public GlObjects(GL gl) => _gl = gl ?? throw new ArgumentNullException(nameof(gl));

    public uint Texture() => Add(GlObjectKind.Texture, _gl.GenTexture());

    public uint Buffer() => Add(GlObjectKind.Buffer, _gl.GenBuffer());

    public uint VertexArray() => Add(GlObjectKind.VertexArray, _gl.GenVertexArray());

    public uint Framebuffer() => Add(GlObjectKind.Framebuffer, _gl.GenFramebuffer());

    public uint Query() => Add(GlObjectKind.Query, _gl.GenQuery());

    public ShaderProgram Program(string name)
    {
        var program = ShaderProgram.FromEmbedded(_gl, name);
        Add(GlObjectKind.Program, program.Handle);
        return program;
    }

    /// <summary>Takes ownership of an object created elsewhere (a fence still pending at dispose).</summary>
    public void Adopt(GlObjectKind kind, nint name) => _objects.Add(new GlObject(kind, name));

    /// <summary>Deletes every object now (on the owning thread) or queues them for that thread; a second call does nothing.</summary>
    public void Delete()
    {
        if (Interlocked.Exchange(ref _deleted, 1) != 0)
        {
            return;
        }
        if (Environment.CurrentManagedThreadId == _thread)
        {
            GlDeletions.DeleteNow(_gl, _objects);
        }
        else
        {
            GlDeletions.Queue(_gl, _objects);
        }
        _objects.Clear();
        GC.SuppressFinalize(this);
    }

    ~GlObjects()
    {
        if (Interlocked.Exchange(ref _deleted, 1) == 0 && _objects.Count > 0)
        {
            GlDeletions.Queue(_gl, _objects);
        }
    }

    private uint Add(GlObjectKind kind, uint name)
    {
        _objects.Add(new GlObject(kind, (nint)name));
        return name;
    }
}

/// <summary>
/// GL objects whose owners were disposed on a thread other than their context's, waiting per context (per
/// <see cref="GL"/> instance: each context has its own) for that context's thread.
/// </summary>
public static class GlDeletions
{
    private static readonly ConditionalWeakTable<GL, ConcurrentQueue<GlObject>> Pending = [];

    /// <summary>
    /// Deletes what objects of <paramref name="gl"/>'s context queued when they were disposed on another thread. Call
    /// on the thread where that context is current; every <see cref="OverlayRenderer"/> draw does it already.
    /// </summary>
    public static void Flush(GL gl)
    {
        ArgumentNullException.ThrowIfNull(gl);
        if (!Pending.TryGetValue(gl, out var queue) || queue.IsEmpty)
        {
            return;
        }
        var batch = new List<GlObject>();
        while (queue.TryDequeue(out var o))
        {
            batch.Add(o);
        }
        DeleteNow(gl, batch);
    }

    /// <summary>Objects queued for <paramref name="gl"/>'s thread and not yet deleted (for leak checks).</summary>
    public static int Count(GL gl) => gl is not null && Pending.TryGetValue(gl, out var queue) ? queue.Count : 0;

    internal static void Queue(GL gl, IEnumerable<GlObject> objects)
    {
        var queue = Pending.GetValue(gl, _ => new ConcurrentQueue<GlObject>());
        foreach (var o in objects)
        {
            queue.Enqueue(o);
        }
    }

    internal static void DeleteNow(GL gl, IEnumerable<GlObject> objects)
    {
        foreach (var o in objects)
        {
            uint name = (uint)o.Name;
            switch (o.Kind)
            {
                case GlObjectKind.Texture: gl.DeleteTexture(name); break;
                case GlObjectKind.Buffer: gl.DeleteBuffer(name); break;
                case GlObjectKind.VertexArray: gl.DeleteVertexArray(name); break;
                case GlObjectKind.Framebuffer: gl.DeleteFramebuffer(name); break;
                case GlObjectKind.Query: gl.DeleteQuery(name); break;
                case GlObjectKind.Program: gl.DeleteProgram(name); break;
                case GlObjectKind.Sync: gl.DeleteSync(o.Name); break;
            }
        }
    }
}
