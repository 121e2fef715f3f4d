using System.Runtime.InteropServices;
using RealtimeSeg.Runtime.Onnx.Native;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// A float32 input tensor over native memory we own (64-byte aligned, never moved by the GC), wrapped as an
/// OrtValue without a copy. The OrtValue is re-created only when the shape changes, so steady-state runs
/// allocate nothing.
/// </summary>
public sealed unsafe class NativeTensor : IDisposable
{
    private readonly OrtEnvironment _env;
    private float* _data;
    private long _capacity;
    private OrtHandle? _value;
    private readonly long[] _shape = new long[4];
    private int _rank;

    internal NativeTensor(OrtEnvironment env, long initialCapacity)
    {
        _env = env;
        Reserve(initialCapacity);
    }

    public long Capacity => _capacity;

    public ReadOnlySpan<long> Shape => _shape.AsSpan(0, _rank);

    /// <summary>Sets the shape (growing the buffer if needed) and returns the elements to fill.</summary>
    public Span<float> Reshape(ReadOnlySpan<long> shape)
    {
        if (shape.Length > _shape.Length)
        {
            throw new ArgumentException("rank above 4 is not supported", nameof(shape));
        }
        long count = 1;
        foreach (long d in shape)
        {
            count *= d;
        }
        if (!shape.SequenceEqual(Shape))
        {
            _value?.Dispose();
            _value = null;
            if (count > _capacity)
            {
                Reserve(count);
            }
            shape.CopyTo(_shape);
            _rank = shape.Length;
        }
        return new Span<float>(_data, checked((int)count));
    }

    public Span<float> Data
    {
        get
        {
            long count = 1;
            foreach (long d in Shape)
            {
                count *= d;
            }
            return new Span<float>(_data, checked((int)count));
        }
    }

    /// <summary>The OrtValue viewing the buffer with the current shape.</summary>
    internal nint Value
    {
        get
        {
            if (_value is null)
            {
                nint value;
                long count = Data.Length;
                fixed (long* shape = _shape)
                {
                    OrtStatus.Check(OrtApi.CreateTensorWithDataAsOrtValue(_env.CpuMemory.DangerousGetHandle(), _data,
                        (nuint)(count * sizeof(float)), shape, (nuint)_rank, TensorElementType.Float, &value));
                }
                _value = new OrtHandle(value, OrtHandleKind.Value);
            }
            return _value.DangerousGetHandle();
        }
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
        _value?.Dispose();
        _value = null;
        if (_data != null)
        {
            NativeMemory.AlignedFree(_data);
            _data = null;
        }
    }
}
