using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// A float32 input tensor over native memory we own (64-byte aligned, never moved by the GC), wrapped as an
/// OrtValue without a copy. The OrtValue is re-created only when the shape changes, so steady-state runs
/// allocate nothing.
/// </summary>
internal sealed unsafe class NativeTensor : IDisposable
{
    private const int MaxRank = 4;
    private float* _data;
    private long _capacity;
    private OrtValue? _value;
    private readonly long[] _shape = new long[MaxRank];
    private int _rank;

    internal NativeTensor(long initialCapacity) => Reserve(initialCapacity);

    public long Capacity => _capacity;

    public ReadOnlySpan<long> Shape => _shape.AsSpan(0, _rank);

    /// <summary>Changes each time the OrtValue is re-created, so a binding knows to bind it again.</summary>
    internal int Version { get; private set; }

    /// <summary>Sets the shape (growing the buffer if needed) and returns the elements to fill.</summary>
    public Span<float> Reshape(ReadOnlySpan<long> shape)
    {
        if (shape.Length > MaxRank)
        {
            throw new ArgumentException($"rank above {MaxRank} is not supported", nameof(shape));
        }
        if (!shape.SequenceEqual(Shape))
        {
            OrtObject.Release(ref _value);
            long count = ElementCount(shape);
            if (count > _capacity)
            {
                Reserve(count);
            }
            shape.CopyTo(_shape);
            _rank = shape.Length;
        }
        return Data;
    }

    public Span<float> Data => new(_data, checked((int)ElementCount(Shape)));

    /// <summary>The OrtValue viewing the buffer with the current shape.</summary>
    internal OrtValue Value
    {
        get
        {
            if (_value is null)
            {
                long count = ElementCount(Shape);
                _value = OrtObject.Track(OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance,
                    Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, Shape.ToArray(), (nint)_data, count * sizeof(float)));
                Version++;
            }
            return _value;
        }
    }

    private static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            count *= d;
        }
        return count;
    }

    private void Reserve(long elements)
    {
        if (_data != null)
        {
            NativeMemory.AlignedFree(_data);
        }
        _capacity = Math.Max(elements, 1);
        _data = (float*)NativeMemory.AlignedAlloc((nuint)(_capacity * sizeof(float)), 64);
    }

    public void Dispose()
    {
        OrtObject.Release(ref _value);
        if (_data != null)
        {
            NativeMemory.AlignedFree(_data);
            _data = null;
        }
    }
}
