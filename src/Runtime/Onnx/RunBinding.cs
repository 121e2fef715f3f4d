using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RealtimeSeg.Runtime.Onnx.Native;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// The state of one in-flight <c>Run</c>: bound inputs, the outputs ORT created, and run options that another
/// thread may use to cancel. One per inference slot; reused for every frame, so a steady run allocates nothing
/// managed. Output views are valid until the next <see cref="Run"/> or <see cref="ReleaseOutputs"/>.
/// </summary>
public sealed unsafe class RunBinding : IDisposable
{
    private const int MaxRank = 8;
    private readonly OrtSession _session;
    private readonly OrtHandle _runOptions;
    private readonly nint* _inputs;
    private readonly nint* _outputs;
    private readonly long[] _outputShapes;
    private readonly int[] _outputRanks;
    private readonly TensorElementType[] _outputTypes;
    private bool _disposed;

    internal RunBinding(OrtSession session)
    {
        _session = session;
        nint runOptions;
        OrtStatus.Check(OrtApi.CreateRunOptions(&runOptions));
        _runOptions = new OrtHandle(runOptions, OrtHandleKind.RunOptions);
        _inputs = (nint*)NativeMemory.AllocZeroed((nuint)Math.Max(1, session.Inputs.Count), (nuint)sizeof(nint));
        _outputs = (nint*)NativeMemory.AllocZeroed((nuint)Math.Max(1, session.Outputs.Count), (nuint)sizeof(nint));
        _outputShapes = new long[session.Outputs.Count * MaxRank];
        _outputRanks = new int[session.Outputs.Count];
        _outputTypes = new TensorElementType[session.Outputs.Count];
    }

    public int OutputCount => _session.Outputs.Count;

    public void BindInput(int index, NativeTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _inputs[index] = tensor.Value;
    }

    /// <summary>Runs the model on the bound inputs. Outputs of the previous run are released first.</summary>
    public void Run()
    {
        ReleaseOutputs();
        OrtStatus.Check(OrtApi.Run(_session.Handle, _runOptions.DangerousGetHandle(), _session.InputNames, _inputs,
            (nuint)_session.Inputs.Count, _session.OutputNames, (nuint)OutputCount, _outputs));
        for (int i = 0; i < OutputCount; i++)
        {
            OrtDiagnostics.Created();
            ReadShape(i);
        }
    }

    /// <summary>Asks a <see cref="Run"/> in progress on another thread to stop; it then throws.</summary>
    public void Terminate() => OrtStatus.Check(OrtApi.RunOptionsSetTerminate(_runOptions.DangerousGetHandle()));

    /// <summary>Clears a <see cref="Terminate"/> so the binding can run again.</summary>
    public void ResetTerminate() => OrtStatus.Check(OrtApi.RunOptionsUnsetTerminate(_runOptions.DangerousGetHandle()));

    public TensorElementType OutputType(int index) => _outputTypes[index];

    public ReadOnlySpan<long> OutputShape(int index) => _outputShapes.AsSpan(index * MaxRank, _outputRanks[index]);

    /// <summary>The output's elements, in place in ORT's buffer (no copy).</summary>
    public ReadOnlySpan<T> Output<T>(int index) where T : unmanaged
    {
        nint value = _outputs[index];
        if (value == 0)
        {
            throw new InvalidOperationException("no output: Run has not completed");
        }
        void* data;
        OrtStatus.Check(OrtApi.GetTensorMutableData(value, &data));
        long count = 1;
        foreach (long d in OutputShape(index))
        {
            count *= d;
        }
        return new ReadOnlySpan<T>(data, checked((int)count));
    }

    private void ReadShape(int index)
    {
        nint info;
        OrtStatus.Check(OrtApi.GetTensorTypeAndShape(_outputs[index], &info));
        try
        {
            TensorElementType type;
            OrtStatus.Check(OrtApi.GetTensorElementType(info, &type));
            nuint rank;
            OrtStatus.Check(OrtApi.GetDimensionsCount(info, &rank));
            if ((int)rank > MaxRank)
            {
                throw new OrtException($"output {_session.Outputs[index].Name} has rank {rank}; at most {MaxRank} is supported");
            }
            fixed (long* dims = &_outputShapes[index * MaxRank])
            {
                OrtStatus.Check(OrtApi.GetDimensions(info, dims, rank));
            }
            _outputRanks[index] = (int)rank;
            _outputTypes[index] = type;
        }
        finally
        {
            OrtApi.ReleaseTensorTypeAndShapeInfo(info);
        }
    }

    /// <summary>Releases the OrtValues the last run created.</summary>
    public void ReleaseOutputs()
    {
        for (int i = 0; i < OutputCount; i++)
        {
            if (_outputs[i] != 0)
            {
                OrtApi.ReleaseValue(_outputs[i]);
                OrtDiagnostics.Released();
                _outputs[i] = 0;
                _outputRanks[i] = 0;
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        ReleaseOutputs();
        _runOptions.Dispose();
        NativeMemory.Free(_inputs);
        NativeMemory.Free(_outputs);
    }
}
