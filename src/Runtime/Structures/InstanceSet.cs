using RealtimeSeg.Runtime.Processing;

namespace RealtimeSeg.Runtime.Structures;

/// <summary>How an <see cref="InstanceSet"/> carries its masks.</summary>
public enum MaskKind
{
    /// <summary>Detection-only model: boxes, no masks.</summary>
    None,

    /// <summary>M×M probabilities per instance, to be pasted into the box (on the GPU when drawing).</summary>
    Raw,

    /// <summary>Binary masks already at frame resolution.</summary>
    Bitmap,
}

/// <summary>
/// One frame's detections as a struct of arrays: equal-length boxes (frame pixels, x1,y1,x2,y2), scores,
/// class ids and masks, plus the frame size. Read-only to its readers: only its producer (the pipeline's
/// postprocessor, the synthetic scene's ground truth) writes it, through internal members, and every accessor
/// checks its index against <see cref="Count"/>. A host with detections of its own makes a set with
/// <see cref="FromDetections"/>. A pooled set is reused frame after frame; its buffers grow and never shrink.
/// </summary>
public sealed class InstanceSet
{
    private BoxF[] _boxes = [];
    private float[] _scores = [];
    private int[] _classIds = [];
    private int[] _trackIds = [];
    private BoxVelocity[] _velocities = [];
    private float[] _rawMasks = [];
    private MaskBitmap[] _bitmaps = [];

    /// <summary>An empty set whose class ids <paramref name="labels"/> names.</summary>
    public InstanceSet(LabelMap labels) => Labels = labels;

    /// <summary>Class names by id.</summary>
    public LabelMap Labels { get; private set; }

    /// <summary>Instances in the set; every accessor takes indices below it.</summary>
    public int Count { get; private set; }

    /// <summary>Width of the frame the boxes and masks are in.</summary>
    public int ImageWidth { get; private set; }

    /// <summary>Height of the frame the boxes and masks are in.</summary>
    public int ImageHeight { get; private set; }

    /// <summary>How the masks are carried: none, raw per box, or bitmaps at frame resolution.</summary>
    public MaskKind MaskKind { get; private set; }

    /// <summary>Side of the raw masks (28 for the standard mask head) when <see cref="MaskKind"/> is Raw.</summary>
    public int RawMaskSize { get; private set; }

    /// <summary>Boxes in frame pixels (x1, y1, x2, y2), one per instance.</summary>
    public ReadOnlySpan<BoxF> Boxes => _boxes.AsSpan(0, Count);

    /// <summary>Scores in [0, 1], best first.</summary>
    public ReadOnlySpan<float> Scores => _scores.AsSpan(0, Count);

    /// <summary>
    /// Track ids: the same object keeps its id from result to result (the pipeline's tracker assigns them); 0 where
    /// nothing tracked the set (a still, a host's own detections).
    /// </summary>
    public ReadOnlySpan<int> TrackIds => _trackIds.AsSpan(0, Count);

    /// <summary>Whether a tracker gave this set its <see cref="TrackIds"/>.</summary>
    public bool IsTracked { get; private set; }

    /// <summary>
    /// Each instance's velocity (frame pixels a second, centre and size) as its track estimated it at this set's
    /// capture time; zero for new tracks and untracked sets. Live drawing moves boxes and masks by it
    /// (<see cref="PredictedBox"/>) to where the objects are at a later frame.
    /// </summary>
    public ReadOnlySpan<BoxVelocity> Velocities => _velocities.AsSpan(0, Count);

    /// <summary>
    /// Instance <paramref name="index"/>'s box <paramref name="seconds"/> after this set's capture, moved by its
    /// velocity (the box itself for an untracked or new instance).
    /// </summary>
    public BoxF PredictedBox(int index, double seconds) => _velocities[CheckIndex(index)].Advance(_boxes[index], seconds);

    /// <summary>Track ids for the tracker to write (its producer only).</summary>
    internal Span<int> WritableTrackIds()
    {
        IsTracked = true;
        return _trackIds.AsSpan(0, Count);
    }

    /// <summary>Velocities for the tracker to write (its producer only).</summary>
    internal Span<BoxVelocity> WritableVelocities() => _velocities.AsSpan(0, Count);

    /// <summary>Class ids (0 is the background, never an instance).</summary>
    public ReadOnlySpan<int> ClassIds => _classIds.AsSpan(0, Count);

    /// <summary>Instance <paramref name="index"/>'s class name ("class N" when the model has no labels).</summary>
    public string ClassName(int index) => Labels.Name(_classIds[CheckIndex(index)]);

    /// <summary>Every instance's raw mask back to back (RawMaskSize² each, in instance order): one GPU upload.</summary>
    public ReadOnlySpan<float> RawMasks => MaskKind == MaskKind.Raw ? _rawMasks.AsSpan(0, Count * RawMaskSize * RawMaskSize) : default;

    /// <summary>Instance <paramref name="index"/>'s raw mask, row-major RawMaskSize².</summary>
    public ReadOnlySpan<float> RawMask(int index)
    {
        if (MaskKind != MaskKind.Raw)
        {
            throw new InvalidOperationException($"this set has {MaskKind} masks, not raw ones");
        }
        int m2 = RawMaskSize * RawMaskSize;
        return _rawMasks.AsSpan(CheckIndex(index) * m2, m2);
    }

    /// <summary>
    /// Instance <paramref name="index"/>'s mask at frame resolution, in a new bitmap the caller owns: it stays valid
    /// after the set is refilled for the next frame. On a hot path pass your own to
    /// <see cref="Mask(int, MaskBitmap)"/> (or paste on the GPU).
    /// </summary>
    public MaskBitmap Mask(int index) => Mask(index, new MaskBitmap());

    /// <summary>
    /// Instance <paramref name="index"/>'s mask at frame resolution, written into <paramref name="into"/> (raw masks
    /// pasted, full-resolution ones copied) so the result never aliases the set's own storage.
    /// </summary>
    public MaskBitmap Mask(int index, MaskBitmap into)
    {
        CheckIndex(index);
        ArgumentNullException.ThrowIfNull(into);
        switch (MaskKind)
        {
            case MaskKind.Bitmap:
                return _bitmaps[index].CopyTo(into);
            case MaskKind.Raw:
                MaskPaste.Paste(RawMask(index), RawMaskSize, _boxes[index], ImageWidth, ImageHeight, into);
                return into;
            default:
                throw new InvalidOperationException("a detection-only model gives no masks");
        }
    }

    /// <summary>
    /// Instance <paramref name="index"/>'s mask as live drawing shows it <paramref name="seconds"/> after this set's
    /// capture: moved with its <see cref="PredictedBox"/> (raw masks pasted into it, bitmaps moved and scaled with
    /// it), written into <paramref name="into"/>. At 0 seconds, or for an instance with no velocity, it equals
    /// <see cref="Mask(int, MaskBitmap)"/>.
    /// </summary>
    public MaskBitmap PredictedMask(int index, double seconds, MaskBitmap into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var moved = PredictedBox(index, seconds);
        switch (MaskKind)
        {
            case MaskKind.Bitmap:
                return MaskPaste.MoveBitmap(_bitmaps[index], _boxes[index], moved, ImageWidth, ImageHeight, into);
            case MaskKind.Raw:
                MaskPaste.Paste(RawMask(index), RawMaskSize, moved, ImageWidth, ImageHeight, into);
                return into;
            default:
                throw new InvalidOperationException("a detection-only model gives no masks");
        }
    }

    /// <summary>
    /// A set of a host's own detections (boxes in frame pixels), to draw or publish like a model's:
    /// <paramref name="masks"/> (frame-resolution bitmaps, one per box, copied) or none for boxes only.
    /// </summary>
    public static InstanceSet FromDetections(int imageWidth, int imageHeight, LabelMap labels, ReadOnlySpan<BoxF> boxes,
        ReadOnlySpan<float> scores, ReadOnlySpan<int> classIds, IReadOnlyList<MaskBitmap>? masks = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Length != boxes.Length || classIds.Length != boxes.Length || (masks is not null && masks.Count != boxes.Length))
        {
            throw new ArgumentException($"detections must agree in count: {boxes.Length} boxes, {scores.Length} scores, {classIds.Length} class ids{(masks is null ? "" : $", {masks.Count} masks")}");
        }
        var set = new InstanceSet(labels);
        set.Reset(imageWidth, imageHeight, masks is null ? MaskKind.None : MaskKind.Bitmap);
        for (int i = 0; i < boxes.Length; i++)
        {
            int k = set.Add(boxes[i], scores[i], classIds[i]);
            masks?[i].CopyTo(set.StoredBitmap(k));
        }
        return set;
    }

    /// <summary>Empties the set for a new frame (its producer only).</summary>
    internal void Reset(int imageWidth, int imageHeight, MaskKind maskKind, int rawMaskSize = 0, LabelMap? labels = null)
    {
        ImageWidth = imageWidth;
        ImageHeight = imageHeight;
        MaskKind = maskKind;
        RawMaskSize = maskKind == MaskKind.Raw ? rawMaskSize : 0;
        Labels = labels ?? Labels;
        Count = 0;
        IsTracked = false;
    }

    /// <summary>Appends one instance; its mask is filled through the returned slot (raw) or bitmap.</summary>
    internal int Add(in BoxF box, float score, int classId)
    {
        EnsureCapacity(Count + 1);
        int i = Count++;
        _boxes[i] = box;
        _scores[i] = score;
        _classIds[i] = classId;
        _trackIds[i] = 0;
        _velocities[i] = default;
        return i;
    }

    /// <summary>Instance <paramref name="index"/>'s raw mask, for the producer to write.</summary>
    internal Span<float> WritableRawMask(int index)
    {
        int m2 = RawMaskSize * RawMaskSize;
        return _rawMasks.AsSpan(CheckIndex(index) * m2, m2);
    }

    /// <summary>
    /// Instance <paramref name="index"/>'s full-resolution mask as stored (no copy): valid until the set is refilled.
    /// For sets built outside a model it is also where the mask is written.
    /// </summary>
    internal MaskBitmap StoredBitmap(int index) => _bitmaps[CheckIndex(index)];

    // Against Count, not the buffers' capacity: an index past Count would read the previous frame's instance.
    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"this set has {Count} instances");
        }
        return index;
    }

    /// <summary>A new set holding the instances for which <paramref name="keep"/> is true, in order, with their track ids and velocities.</summary>
    public InstanceSet Where(Func<int, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        var result = new InstanceSet(Labels);
        result.Reset(ImageWidth, ImageHeight, MaskKind, RawMaskSize);
        result.IsTracked = IsTracked;
        for (int i = 0; i < Count; i++)
        {
            if (!keep(i))
            {
                continue;
            }
            int j = result.Add(_boxes[i], _scores[i], _classIds[i]);
            result._trackIds[j] = _trackIds[i];
            result._velocities[j] = _velocities[i];
            if (MaskKind == MaskKind.Raw)
            {
                RawMask(i).CopyTo(result.WritableRawMask(j));
            }
            else if (MaskKind == MaskKind.Bitmap)
            {
                _bitmaps[i].CopyTo(result.StoredBitmap(j));
            }
        }
        return result;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed > _boxes.Length)
        {
            int size = Math.Max(needed, Math.Max(8, _boxes.Length * 2));
            Array.Resize(ref _boxes, size);
            Array.Resize(ref _scores, size);
            Array.Resize(ref _classIds, size);
            Array.Resize(ref _trackIds, size);
            Array.Resize(ref _velocities, size);
            int old = _bitmaps.Length;
            Array.Resize(ref _bitmaps, size);
            for (int i = old; i < size; i++)
            {
                _bitmaps[i] = new MaskBitmap();
            }
        }
        int m2 = RawMaskSize * RawMaskSize;
        if (MaskKind == MaskKind.Raw && _rawMasks.Length < _boxes.Length * m2)
        {
            Array.Resize(ref _rawMasks, _boxes.Length * m2);
        }
    }
}
