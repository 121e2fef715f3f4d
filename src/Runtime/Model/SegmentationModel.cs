using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Model;

/// <summary>Settings of the model itself (as opposed to the ORT session).</summary>
public sealed record ModelOptions
{
    /// <summary>The model's own size and contract, labels beside it, warm-up on.</summary>
    public static ModelOptions Default { get; } = new();

    /// <summary>Short side of the model input; null takes the model's own (metadata) or 800.</summary>
    public int? Size { get; init; }

    /// <summary>Cap on the long side; null takes the model's own or 1333.</summary>
    public int? MaxSize { get; init; }

    /// <summary>Overrides contract detection (for exports whose I/O is ambiguous).</summary>
    public ModelContract? Contract { get; init; }

    /// <summary>A labels file to use instead of the one beside the model.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>Run once at load so no later timing includes ORT's first-run set-up.</summary>
    public bool WarmUp { get; init; } = true;
}

/// <summary>
/// A Mask R-CNN (or Faster R-CNN) served through ONNX Runtime: the facade of <c>RealtimeSeg.Runtime</c>.
/// <code>
/// using var model = SegmentationModel.Open("models/demo.onnx");     // load, detect contract, warm up
/// using var slot = model.CreateSlot();                              // per thread: input tensor + outputs
/// var instances = model.CreateInstanceSet();
/// slot.Segment(frame, instances, SegmentOptions.Default);           // preprocess → run → postprocess
/// for (int i = 0; i &lt; instances.Count; i++) Use(instances.Boxes[i], instances.ClassName(i), instances.Mask(i));
/// </code>
/// Thread safety: the model may be shared; each thread runs through its own <see cref="InferenceSlot"/>.
/// </summary>
public sealed class SegmentationModel : IDisposable
{
    /// <summary>Model metadata key: the class names as a JSON list, background first.</summary>
    public const string LabelsKey = "realtimeseg.labels";
    /// <summary>Model metadata key: the class count, background included (a labels file must agree).</summary>
    public const string NumClassesKey = "realtimeseg.num_classes";
    /// <summary>Model metadata key: the input's short side the model was trained at.</summary>
    public const string MinSizeKey = "realtimeseg.min_size";
    /// <summary>Model metadata key: the cap on the input's long side.</summary>
    public const string MaxSizeKey = "realtimeseg.max_size";

    private SegmentationModel(string path, OrtSession session, ModelLayout layout, LabelMap labels, SizePolicy size, int concurrentRuns)
    {
        Path = path;
        Session = session;
        Layout = layout;
        Labels = labels;
        Size = size;
        RunGate = new Pipeline.RunGate(concurrentRuns);
    }

    /// <summary>The model file.</summary>
    public string Path { get; }

    internal OrtSession Session { get; }

    /// <summary>
    /// Every pipeline (stream) on this model takes its Runs through this one gate, in turn, at most
    /// <see cref="InferenceOptions.ConcurrentRuns"/> at once (see <see cref="Pipeline.RunGate"/>).
    /// </summary>
    internal Pipeline.RunGate RunGate { get; }

    /// <summary>Runs of this model that may be in flight at once, over every stream that shares it.</summary>
    public int ConcurrentRuns => RunGate.Capacity;

    /// <summary>The execution provider the model runs on.</summary>
    public ExecutionProvider Provider => Session.Provider;

    /// <summary>Every provider tried at load, in order, with the reason for each that could not be used.</summary>
    public IReadOnlyList<ProviderAttempt> ProviderAttempts => Session.ProviderAttempts;

    /// <summary>The model's I/O contract (torchvision, torchvision-raw, zoo or detection-only).</summary>
    public ModelContract Contract => Layout.Contract;

    internal ModelLayout Layout { get; }

    /// <summary>Class names by id, and where they came from.</summary>
    public LabelMap Labels { get; }

    internal SizePolicy Size { get; }

    /// <summary>Loads <paramref name="path"/>, picks the provider, detects the contract, reads the labels and (by default) runs once to warm up. Errors name what was found and the fix.</summary>
    public static SegmentationModel Open(string path, InferenceOptions? inference = null, ModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        inference ??= InferenceOptions.Default;
        options ??= ModelOptions.Default;
        if (inference.ConcurrentRuns is < 1 or > 64)
        {
            throw new ModelLoadException($"InferenceOptions.ConcurrentRuns {inference.ConcurrentRuns} is out of range; use 1 to 64, or null for the provider's default");
        }
        if (Directory.Exists(path))
        {
            throw new ModelLoadException($"{path} is a folder; expected an .onnx model file");
        }
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"model file {path} not found; give SegmentationModel.Open the path of an .onnx file");
        }
        if (new FileInfo(path).Length == 0)
        {
            throw new ModelLoadException($"model file {path} is empty (0 bytes); re-export or re-copy it");
        }

        OrtSession session;
        try
        {
            session = OrtSession.Open(path, inference);
        }
        catch (OrtException e) when (e.FromCreateSession)
        {
            throw new ModelLoadException($"{path} is not a loadable ONNX model (truncated or corrupt?): {e.Message}", e);
        }

        try
        {
            string name = System.IO.Path.GetFileName(path);
            var layout = ModelLayout.Detect(name, session.Inputs, session.Outputs, session.Metadata, options.Contract);
            var labels = LoadLabels(path, options.LabelsPath, session.Metadata);
            var size = InputSize(session.Metadata, options);
            int runs = inference.ConcurrentRuns ?? DefaultConcurrentRuns(session.Provider);
            var model = new SegmentationModel(path, session, layout, labels, size, runs);
            if (layout.MaskShapeSymbolic)
            {
                // The graph does not say whether masks are raw or pasted: one run does.
                var (maskH, maskW, inputH, inputW) = model.WarmUp();
                layout = ModelLayout.Detect(name, session.Inputs, session.Outputs, session.Metadata, options.Contract,
                    (maskH, maskW, inputH, inputW));
                model = new SegmentationModel(path, session, layout, labels, size, runs);
            }
            else if (options.WarmUp)
            {
                model.WarmUp();
            }
            return model;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Per-thread inference state. Dispose it before the model.</summary>
    public InferenceSlot CreateSlot() => new(this);

    /// <summary>An empty set labelled with this model's classes, to reuse frame after frame.</summary>
    public InstanceSet CreateInstanceSet() => new(Labels);

    /// <summary>
    /// Measured (bench-host --streams 4, the demo model, this 2-core CPU): one Run at a time served 4 streams at
    /// 1.0x bare Run, two at once at 2.2x (a Run leaves cores idle in its sequential operators) with min/max 0.95,
    /// unbounded at 1.8x with min/max 0.83. Other providers keep one (unmeasured: no GPU was at hand).
    /// </summary>
    internal static int DefaultConcurrentRuns(ExecutionProvider provider) => provider == ExecutionProvider.Cpu ? 2 : 1;

    /// <summary>Input sizes a model may declare, and a caller may choose: past them a frame's tensors would be gigabytes.</summary>
    internal const int MinInputSide = 32, MaxInputSide = 8192;

    /// <summary>
    /// The input size: the caller's (<see cref="ModelOptions.Size"/>, <see cref="ModelOptions.MaxSize"/>), else the
    /// model's own from its metadata, else COCO's 800/1333. Metadata out of range names its key: it is the model's
    /// fault, not the caller's.
    /// </summary>
    internal static SizePolicy InputSize(IReadOnlyDictionary<string, string> metadata, ModelOptions options)
    {
        int ownShort = MetadataSide(metadata, MinSizeKey) ?? SizePolicy.Coco.ShortSide;
        int ownMax = MetadataSide(metadata, MaxSizeKey) ?? SizePolicy.Coco.MaxSide;
        if (ownMax < ownShort)
        {
            throw new ModelLoadException($"model metadata {MaxSizeKey} ({ownMax}) is below {MinSizeKey} ({ownShort}); re-export the model with a max size at least its min size");
        }
        // A chosen short side keeps the model's own aspect cap (800/1333 scales to 480/800).
        var size = new SizePolicy(options.Size ?? ownShort,
            options.MaxSize ?? (options.Size is int s ? (int)Math.Clamp(Math.Round(s * (double)ownMax / ownShort), int.MinValue, int.MaxValue) : ownMax));
        if (size.ShortSide <= 0 || size.MaxSide < size.ShortSide || size.MaxSide > MaxInputSide)
        {
            throw new ModelLoadException($"input size {size.ShortSide} (max {size.MaxSide}) is invalid; ModelOptions.Size must be positive and not above ModelOptions.MaxSize, at most {MaxInputSide}");
        }
        return size;
    }

    private static int? MetadataSide(IReadOnlyDictionary<string, string> metadata, string key)
    {
        if (!metadata.TryGetValue(key, out string? text))
        {
            return null;
        }
        return ModelLayout.MetadataInt(metadata, key) is int side and >= MinInputSide and <= MaxInputSide ? side
            : throw new ModelLoadException($"model metadata {key} is '{ModelLayout.Printable(text)}', not a side of {MinInputSide} to {MaxInputSide} pixels; re-export the model or remove the key");
    }

    internal static LabelMap LoadLabels(string modelPath, string? explicitPath, IReadOnlyDictionary<string, string> metadata)
    {
        string besideModel = System.IO.Path.ChangeExtension(modelPath, ".labels.txt");
        LabelMap labels;
        if (explicitPath is not null)
        {
            if (!File.Exists(explicitPath))
            {
                throw new ModelLoadException($"labels file {explicitPath} not found");
            }
            labels = LabelMap.FromFile(explicitPath);
        }
        else if (File.Exists(besideModel))
        {
            labels = LabelMap.FromFile(besideModel);
        }
        else if (metadata.TryGetValue(LabelsKey, out string? json))
        {
            labels = LabelMap.FromJson(json, $"model metadata ({LabelsKey})");
        }
        else
        {
            labels = LabelMap.None;
        }

        if (ModelLayout.MetadataInt(metadata, NumClassesKey) is int classes && labels.Count > 0 && labels.Count != classes)
        {
            throw new ModelLoadException(
                $"{labels.Source} names {labels.Count} classes (background included) but the model has {classes} ({NumClassesKey}); use the labels file made with this model");
        }
        return labels;
    }

    /// <summary>One run on a grey frame; returns the mask output's height and width and the tensor's.</summary>
    private (long MaskH, long MaskW, long InputH, long InputW) WarmUp()
    {
        var (w, h, _) = Size.Apply(640, 480);
        using var frame = Frame.Allocate(w, h, PixelFormat.Rgb24);
        frame.Pixels.Fill(128);
        using var slot = CreateSlot();
        slot.Preprocess(frame);
        slot.Run();
        if (Layout.MasksOutput < 0)
        {
            return (0, 0, 0, 0);
        }
        var shape = slot.Outputs.OutputShape(Layout.MasksOutput);
        return (shape[2], shape[3], slot.Transform.TensorHeight, slot.Transform.TensorWidth);
    }

    /// <summary>Releases the ONNX Runtime session; slots must be disposed first.</summary>
    public void Dispose() => Session.Dispose();
}
