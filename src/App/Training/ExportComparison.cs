using System.Globalization;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.App.Training;

/// <summary>
/// How the pasted export of a checkpoint compares with its raw export, output for output, on the val pictures.
/// The two graphs share every layer up to the paste, so their detections (class, box, score) must be the same one
/// for one, and each pasted mask must be torchvision's paste of the raw export's 28x28 mask into its box, at the
/// model's input size. Mask AP cannot judge this export: the runtime resamples its masks from the input size to
/// the picture (the raw export's are pasted at the picture's own size, as PyTorch pastes them), and on a small val
/// split that alone moved mask AP by 0.027 with identical boxes. The outputs themselves can judge it, and do so
/// however well or badly the model was trained.
/// </summary>
internal sealed record ExportComparison(int Detections, int Unmatched, int MasksOff, float LargestMaskDifference)
{
    /// <summary>A box may move this far (input pixels, any corner) between the graphs: ONNX Runtime fuses them differently.</summary>
    public const float MaxBoxShift = 0.5f;

    public const float MaxScoreDifference = 1e-3f;

    /// <summary>
    /// The most a pasted mask's probability may differ from our paste of the raw mask. The two resize the same way
    /// and differ only in float rounding (measured: under 1e-5); a mask off by this much was pasted elsewhere.
    /// </summary>
    public const float MaxMaskDifference = 0.01f;

    /// <summary>
    /// Detections that may differ: a score tie at a picture's last detection, or a box corner whose growth by the paste
    /// lands on a whole pixel, where the two graphs' rounding can truncate it to neighbouring pixels.
    /// </summary>
    public int Allowed => Math.Max(1, Detections / 100);

    public bool Agrees => Unmatched + MasksOff <= Allowed;

    public static ExportComparison Of(SegmentationModel raw, SegmentationModel pasted, CocoGroundTruth val)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(pasted);
        ArgumentNullException.ThrowIfNull(val);
        if (raw.Layout.RawMaskSize == 0 || !pasted.Layout.HasMasks || pasted.Layout.RawMaskSize != 0)
        {
            throw new ArgumentException("expected a raw-mask export and a pasted-mask export of the same checkpoint");
        }
        using var rawSlot = raw.CreateSlot();
        using var pastedSlot = pasted.CreateSlot();
        int detections = 0, unmatched = 0, masksOff = 0;
        float largest = 0;
        float[] pastedByUs = [];
        foreach (var image in val.Images)
        {
            using var frame = Png.Read(val.ImagePath(image));
            var a = Run(rawSlot, raw.Layout, frame);
            var b = Run(pastedSlot, pasted.Layout, frame);
            detections += a.Count;
            unmatched += Math.Abs(a.Count - b.Count);
            int m = raw.Layout.RawMaskSize;
            int h = (int)b.MaskShape[2], w = (int)b.MaskShape[3];
            if (pastedByUs.Length != w * h)
            {
                pastedByUs = new float[w * h];
            }
            for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
            {
                if (!Same(a, b, i))
                {
                    unmatched++;
                    continue;
                }
                MaskPaste.PasteProbabilities(a.Masks.Slice(i * m * m, m * m), m, a.Box(i), w, h, pastedByUs);
                float difference = LargestDifference(pastedByUs, b.Masks.Slice(i * w * h, w * h));
                if (difference > MaxMaskDifference)
                {
                    masksOff++;
                }
                else
                {
                    largest = Math.Max(largest, difference);
                }
            }
        }
        return new ExportComparison(detections, unmatched, masksOff, largest);
    }

    /// <summary>One line: what matched, or what the export got wrong.</summary>
    public string Describe(string rawName, string pastedName)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!Agrees && Unmatched > 0)
        {
            return string.Create(inv, $"{pastedName}'s detections differ from {rawName}'s: {Unmatched} of {Detections} have no match (class, box within {MaxBoxShift} px, score within {MaxScoreDifference})");
        }
        if (!Agrees)
        {
            return string.Create(inv, $"{pastedName}'s masks are not torchvision's paste of {rawName}'s: {MasksOff} of {Detections} differ by more than {MaxMaskDifference}");
        }
        string except = Unmatched + MasksOff == 0 ? "" : string.Create(inv, $" (all but {Unmatched + MasksOff})");
        return string.Create(inv, $"{pastedName} gives {rawName}'s {Detections} detections{except}, its masks torchvision's paste of them within {LargestMaskDifference:0.0e0}");
    }

    private static Outputs Run(InferenceSlot slot, ModelLayout layout, Frame frame)
    {
        slot.Preprocess(frame);
        slot.Run();
        var run = slot.Outputs;
        return new Outputs((int)run.OutputShape(layout.BoxesOutput)[0], run.Output<float>(layout.BoxesOutput).ToArray(),
            run.Output<long>(layout.LabelsOutput).ToArray(), run.Output<float>(layout.ScoresOutput).ToArray(),
            run.Output<float>(layout.MasksOutput).ToArray(), run.OutputShape(layout.MasksOutput).ToArray());
    }

    private static bool Same(Outputs a, Outputs b, int i)
    {
        if (a.Labels[i] != b.Labels[i] || Math.Abs(a.Scores[i] - b.Scores[i]) > MaxScoreDifference)
        {
            return false;
        }
        for (int c = 4 * i; c < 4 * i + 4; c++)
        {
            if (Math.Abs(a.Boxes[c] - b.Boxes[c]) > MaxBoxShift)
            {
                return false;
            }
        }
        return true;
    }

    private static float LargestDifference(ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs)
    {
        float largest = 0;
        for (int p = 0; p < ours.Length; p++)
        {
            largest = Math.Max(largest, Math.Abs(ours[p] - theirs[p]));
        }
        return largest;
    }

    /// <summary>One run's outputs, copied out of the binding (this check is not a hot path). Boxes in input pixels.</summary>
    private sealed record Outputs(int Count, float[] Boxes, long[] Labels, float[] Scores, float[] MasksData, long[] MaskShape)
    {
        public ReadOnlySpan<float> Masks => MasksData;

        public BoxF Box(int i) => new(Boxes[4 * i], Boxes[4 * i + 1], Boxes[4 * i + 2], Boxes[4 * i + 3]);
    }
}
