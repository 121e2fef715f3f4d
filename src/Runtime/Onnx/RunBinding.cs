using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// The state of one in-flight <c>Run</c>: the input and output names and values passed to every run (built once,
/// the input value replaced only when its shape changes), the outputs of the last run, and run options that another
/// thread may use to cancel. One per inference slot, reused for every frame. (An <c>OrtIoBinding</c> would keep each
/// run's outputs bound as pre-allocated ones, which a detector's per-frame instance count cannot reuse.) Output views are valid until the next <see cref="Run"/> or <see cref="ReleaseOutputs"/>.
/// <para>
/// ORT's managed API allocates a few hundred bytes a run (the output collection and its OrtValue wrappers, the shape
/// arrays); <see cref="LastRunManagedBytes"/> measures exactly that, so callers can tell ORT's bytes from their own.
/// </para>
/// </summary>
internal sealed unsafe class RunBinding : IDisposable
{
    private const int MaxRank = 8;
    private readonly OrtSession _session;
    private RunOptions? _runOptions;
    private IDisposableReadOnlyCollection<OrtValue>? _outputs;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputValues;
    private readonly NativeTensor?[] _boundInputs;
    private readonly int[] _boundVersions;
    private readonly long[] _outputShapes;
    private readonly int[] _outputRanks;
    private readonly TensorElementType[] _outputTypes;
    private readonly nint[] _outputData;
    private readonly long[] _outputBytes;

    internal RunBinding(OrtSession session)
    {
        _session = session;
        int outputs = session.Outputs.Count;
        _outputShapes = new long[outputs * MaxRank];
        _outputRanks = new int[outputs];
        _outputTypes = new TensorElementType[outputs];
        _outputData = new nint[outputs];
        _outputBytes = new long[outputs];
        _inputNames = session.Inputs.Select(i => i.Name).ToArray();
        _outputNames = session.Outputs.Select(o => o.Name).ToArray();
        _inputValues = new OrtValue[session.Inputs.Count];
        _boundInputs = new NativeTensor?[session.Inputs.Count];
        _boundVersions = new int[session.Inputs.Count];
        _runOptions = OrtObject.Track(new RunOptions { LogSeverityLevel = (Microsoft.ML.OnnxRuntime.OrtLoggingLevel)session.LogLevel });
    }

    public int OutputCount => _session.Outputs.Count;

    /// <summary>Managed bytes ORT's API allocated during the last <see cref="Run"/> (outputs and their shapes).</summary>
    public long LastRunManagedBytes { get; private set; }

    public void BindInput(int index, NativeTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var value = tensor.Value;
        if (!ReferenceEquals(_boundInputs[index], tensor) || _boundVersions[index] != tensor.Version)
        {
            _inputValues[index] = value;
            _boundInputs[index] = tensor;
            _boundVersions[index] = tensor.Version;
        }
    }

    /// <summary>Runs the model on the bound inputs. Outputs of the previous run are released first.</summary>
    public void Run()
    {
        ReleaseOutputs();
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            // ORT allocates each output (its size depends on the detections) in CPU memory we read in place.
            _outputs = OrtObject.Track(_session.Inner.Run(RunOptions, _inputNames, _inputValues, _outputNames));
        }
        catch (OnnxRuntimeException e)
        {
            throw OrtException.From(e);
        }
        for (int i = 0; i < OutputCount; i++)
        {
            ReadOutput(i, _outputs[i]);
        }
        LastRunManagedBytes = GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Asks a <see cref="Run"/> in progress on another thread to stop; it then throws.</summary>
    public void Terminate()
    {
        var options = _runOptions;
        if (options is not null)
        {
            options.Terminate = true;
        }
    }

    /// <summary>Clears a <see cref="Terminate"/> so the binding can run again.</summary>
    public void ResetTerminate()
    {
        var options = _runOptions;
        if (options is not null)
        {
            options.Terminate = false;
        }
    }

    public TensorElementType OutputType(int index) => _outputTypes[index];

    public ReadOnlySpan<long> OutputShape(int index) => _outputShapes.AsSpan(index * MaxRank, _outputRanks[index]);

    /// <summary>The output's elements, in place in ORT's buffer (no copy).</summary>
    public ReadOnlySpan<T> Output<T>(int index) where T : unmanaged
    {
        if (_outputs is null)
        {
            throw new InvalidOperationException("no output: Run has not completed");
        }
        if (_outputBytes[index] % sizeof(T) != 0)
        {
            throw new InvalidOperationException($"output {_session.Outputs[index].Name} is {TensorInfo.TypeName(_outputTypes[index])}, not {typeof(T).Name}");
        }
        return new ReadOnlySpan<T>((void*)_outputData[index], checked((int)(_outputBytes[index] / sizeof(T))));
    }

    private void ReadOutput(int index, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        long[] shape = info.Shape;
        if (shape.Length > MaxRank)
        {
            throw new OrtException($"output {_session.Outputs[index].Name} has rank {shape.Length}; at most {MaxRank} is supported");
        }
        shape.CopyTo(_outputShapes.AsSpan(index * MaxRank));
        _outputRanks[index] = shape.Length;
        _outputTypes[index] = (TensorElementType)info.ElementDataType;
        // Read the address once: the managed API's typed span accessors query type and shape (and allocate) each call.
        var raw = value.GetTensorMutableRawData();
        _outputData[index] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(raw));
        _outputBytes[index] = raw.Length;
    }

    /// <summary>Releases the OrtValues the last run created.</summary>
    public void ReleaseOutputs()
    {
        OrtObject.Release(ref _outputs);
        Array.Clear(_outputRanks);
        Array.Clear(_outputData);
        Array.Clear(_outputBytes);
    }

    private RunOptions RunOptions => _runOptions ?? throw new ObjectDisposedException(nameof(RunBinding));

    public void Dispose()
    {
        ReleaseOutputs();
        OrtObject.Release(ref _runOptions);
    }
}
