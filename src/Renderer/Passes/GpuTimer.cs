using RealtimeSeg.Renderer.Graphics;
using Silk.NET.OpenGL;

namespace RealtimeSeg.Renderer.Passes;

/// <summary>
/// GPU time of whole overlay passes from a ring of four timer queries: each is read three frames after it was
/// issued, only if ready, so measuring never makes the CPU wait for the GPU.
/// </summary>
internal sealed class GpuTimer
{
    private readonly GL _gl;
    private readonly uint[] _queries = new uint[4];
    private int _next, _issued;

    public GpuTimer(GL gl, GlObjects objects)
    {
        _gl = gl;
        for (int i = 0; i < _queries.Length; i++)
        {
            _queries[i] = objects.Query();
        }
    }

    /// <summary>The most recent pass's GPU milliseconds whose query has completed (0 until one has).</summary>
    public double LastMs { get; private set; }

    public void Begin() => _gl.BeginQuery(QueryTarget.TimeElapsed, _queries[_next]);

    public void End()
    {
        _gl.EndQuery(QueryTarget.TimeElapsed);
        _issued++;
        _next = (_next + 1) % _queries.Length;
        // The oldest query in the ring was issued 3 frames ago: read it only if ready, never wait.
        if (_issued >= _queries.Length && _gl.GetQueryObject(_queries[_next], QueryObjectParameterName.ResultAvailable) != 0)
        {
            _gl.GetQueryObject(_queries[_next], QueryObjectParameterName.Result, out ulong nanoseconds);
            LastMs = nanoseconds / 1e6;
        }
    }

    /// <summary>Blocks until the GPU has finished and reads the last pass's time (benchmarks only).</summary>
    public double WaitForLast()
    {
        _gl.Finish();
        if (_issued == 0)
        {
            return 0;
        }
        int last = (_next + _queries.Length - 1) % _queries.Length;
        _gl.GetQueryObject(_queries[last], QueryObjectParameterName.Result, out ulong nanoseconds);
        return LastMs = nanoseconds / 1e6;
    }
}
