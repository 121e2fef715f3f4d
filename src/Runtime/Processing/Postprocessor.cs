using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Processing;

/// <summary>
/// Model outputs → an <see cref="InstanceSet"/> in frame pixels: checks that boxes, labels, scores and masks
/// agree in count, applies score, class and count limits, maps boxes back through the input transform, and
/// carries masks raw (28×28 + box) or resampled to frame resolution for models that paste their own.
/// </summary>
internal static class Postprocessor
{
    public static void Run(RunBinding outputs, ModelLayout layout, InputTransform transform, LabelMap labels,
        SegmentOptions options, InstanceSet into)
    {
        var boxShape = outputs.OutputShape(layout.BoxesOutput);
        int n = (int)boxShape[0];
        ExpectCount(outputs, layout.LabelsOutput, n, "labels");
        ExpectCount(outputs, layout.ScoresOutput, n, "scores");
        if (outputs.OutputType(layout.LabelsOutput) != TensorElementType.Int64)
        {
            throw new ModelOutputException($"labels output is {TensorInfo.TypeName(outputs.OutputType(layout.LabelsOutput))}, expected int64");
        }

        MaskKind kind = !layout.HasMasks ? MaskKind.None : layout.RawMaskSize > 0 ? MaskKind.Raw : MaskKind.Bitmap;
        into.Reset(transform.SourceWidth, transform.SourceHeight, kind, layout.RawMaskSize, labels);
        if (layout.HasMasks)
        {
            ExpectCount(outputs, layout.MasksOutput, n, "masks");
        }

        var boxes = outputs.Output<float>(layout.BoxesOutput);
        var ids = outputs.Output<long>(layout.LabelsOutput);
        var scores = outputs.Output<float>(layout.ScoresOutput);
        var masks = layout.HasMasks ? outputs.Output<float>(layout.MasksOutput) : default;
        var maskShape = layout.HasMasks ? outputs.OutputShape(layout.MasksOutput) : default;

        for (int i = 0; i < n && into.Count < options.MaxInstances; i++)
        {
            int classId = (int)ids[i];
            if (!labels.IsKnown(classId))
            {
                throw new ModelOutputException(
                    $"the model returned class id {classId} but {labels.Source} names only {labels.Count} classes (ids 0..{labels.Count - 1}); the labels do not belong to this model");
            }
            if (scores[i] < options.MinScore || (options.Classes is { } keep && !keep.Contains(classId)))
            {
                continue;
            }
            var box = transform.Invert(new BoxF(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]));
            if (box.IsEmpty)
            {
                continue;
            }
            int k = into.Add(box, scores[i], classId);
            if (kind == MaskKind.Raw)
            {
                int m2 = layout.RawMaskSize * layout.RawMaskSize;
                masks.Slice(i * m2, m2).CopyTo(into.WritableRawMask(k));
            }
            else if (kind == MaskKind.Bitmap)
            {
                int h = (int)maskShape[2], w = (int)maskShape[3];
                ResampleMask(masks.Slice(i * h * w, h * w), w, h, box, transform, into.StoredBitmap(k));
            }
        }
    }

    private static void ExpectCount(RunBinding outputs, int index, int n, string what)
    {
        var shape = outputs.OutputShape(index);
        if (shape.Length == 0 || shape[0] != n)
        {
            throw new ModelOutputException($"the model returned {n} boxes but {what} for {(shape.Length == 0 ? 0 : shape[0])}; a detector's outputs must agree in count");
        }
    }

    /// <summary>
    /// A mask the model already pasted at tensor resolution, thresholded at frame resolution. Only the region the
    /// paste can touch (the box grown as the paste grows it) is visited.
    /// </summary>
    private static void ResampleMask(ReadOnlySpan<float> mask, int maskWidth, int maskHeight, in BoxF frameBox,
        InputTransform transform, MaskBitmap into)
    {
        var (x0, y0, x1, y1) = MaskPaste.ExpandedBox(frameBox, 28);
        var bounds = new PixelRect(Math.Max(x0 - 1, 0), Math.Max(y0 - 1, 0),
            Math.Min(x1 + 2, transform.SourceWidth), Math.Min(y1 + 2, transform.SourceHeight));
        var dest = into.Reset(bounds);
        bool identity = transform.ScaleX == 1f && transform.ScaleY == 1f;
        for (int y = bounds.Y0; y < bounds.Y1; y++)
        {
            var row = dest.Slice((y - bounds.Y0) * bounds.Width, bounds.Width);
            float sy = Math.Clamp((y + 0.5f) * transform.ScaleY - 0.5f, 0, maskHeight - 1);
            int my0 = (int)sy, my1 = Math.Min(my0 + 1, maskHeight - 1);
            float ly = sy - my0;
            for (int x = bounds.X0; x < bounds.X1; x++)
            {
                float v;
                if (identity)
                {
                    v = x < maskWidth && y < maskHeight ? mask[y * maskWidth + x] : 0f;
                }
                else
                {
                    float sx = Math.Clamp((x + 0.5f) * transform.ScaleX - 0.5f, 0, maskWidth - 1);
                    int mx0 = (int)sx, mx1 = Math.Min(mx0 + 1, maskWidth - 1);
                    float lx = sx - mx0;
                    float top = mask[my0 * maskWidth + mx0] * (1 - lx) + mask[my0 * maskWidth + mx1] * lx;
                    float bottom = mask[my1 * maskWidth + mx0] * (1 - lx) + mask[my1 * maskWidth + mx1] * lx;
                    v = top * (1 - ly) + bottom * ly;
                }
                row[x - bounds.X0] = v > MaskPaste.Threshold ? (byte)1 : (byte)0;
            }
        }
    }
}
