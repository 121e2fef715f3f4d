using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Model;

/// <summary>
/// One inference slot: a pre-allocated input tensor, the outputs of its last run, and the input transform for
/// the current frame size. Stages are separate so a pipeline can overlap them across slots; one thread at a time.
/// </summary>
public sealed class InferenceSlot : IDisposable
{
    private readonly SegmentationModel _model;
    private readonly NativeTensor _input;
    private readonly RunBinding _binding;
    private readonly long[] _shape = new long[3];
    private InputTransform? _transform;

    internal InferenceSlot(SegmentationModel model)
    {
        _model = model;
        var (w, h, _) = model.Size.Apply(640, 480);
        _input = new NativeTensor(3L * (w + 32) * (h + 32));
        _binding = model.Session.CreateBinding();
    }

    /// <summary>The transform of the last preprocessed frame (input size, scale back to the frame).</summary>
    internal InputTransform Transform => _transform ?? throw new InvalidOperationException("no frame preprocessed yet");

    /// <summary>The run's outputs, for callers that read them directly.</summary>
    internal RunBinding Outputs => _binding;

    /// <summary>Frame → input tensor (resize, channel order, normalisation) into the slot's own buffer.</summary>
    public void Preprocess(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_transform is null || !_transform.Matches(frame))
        {
            // Only when the frame size or format changes: steady state reuses the transform and the tensor.
            _transform = new InputTransform(frame.Width, frame.Height, frame.Format, _model.Size, _model.Layout.Encoding, _model.Layout.PadMultiple);
            _shape[0] = 3;
            _shape[1] = _transform.TensorHeight;
            _shape[2] = _transform.TensorWidth;
        }
        var data = _input.Reshape(_shape);
        _transform.Apply(frame, data);
    }

    /// <summary>Runs the model on the last preprocessed frame (a Run in flight can be stopped with <see cref="Cancel"/>).</summary>
    public void Run()
    {
        _binding.BindInput(0, _input);
        _binding.Run();
    }

    /// <summary>The last run's outputs → <paramref name="into"/>, in frame pixels, filtered by <paramref name="options"/>.</summary>
    public void Postprocess(InstanceSet into, SegmentOptions options) =>
        Postprocessor.Run(_binding, _model.Layout, Transform, _model.Labels, options, into);

    /// <summary>Preprocess, run and postprocess one frame.</summary>
    public void Segment(Frame frame, InstanceSet into, SegmentOptions? options = null)
    {
        Preprocess(frame);
        Run();
        Postprocess(into, options ?? SegmentOptions.Default);
    }

    /// <summary>Cancels a run in progress on another thread (it then throws).</summary>
    public void Cancel() => _binding.Terminate();

    /// <summary>Releases the slot's tensor and run state (before the model).</summary>
    public void Dispose()
    {
        _binding.Dispose();
        _input.Dispose();
    }
}
