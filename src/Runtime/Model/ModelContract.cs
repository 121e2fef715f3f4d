using System.Globalization;
using RealtimeSeg.Runtime.Onnx;

namespace RealtimeSeg.Runtime.Model;

/// <summary>The model I/O conventions RealtimeSeg serves (README.md, "Models", has the table).</summary>
public enum ModelContract
{
    /// <summary>RGB in [0,1]; masks pasted by the model to [N,1,H,W].</summary>
    Torchvision,

    /// <summary>RGB in [0,1]; masks [N,1,28,28] per box, pasted by us.</summary>
    TorchvisionRaw,

    /// <summary>ONNX Model Zoo MaskRCNN-10/12: BGR 0-255 minus mean, sides multiples of 32, masks [N,1,28,28].</summary>
    Zoo,

    /// <summary>Boxes, labels and scores without masks (Faster R-CNN).</summary>
    DetectionOnly,
}

/// <summary>How the input tensor is encoded from a frame.</summary>
internal enum InputEncoding
{
    /// <summary>Planar RGB, values in [0,1].</summary>
    Rgb01,

    /// <summary>Planar BGR, 0-255 minus the Detectron mean.</summary>
    BgrMeanSubtracted,
}

/// <summary>Where each piece of a detector's I/O lives, as found by <see cref="ModelLayout.Detect"/>.</summary>
internal sealed record ModelLayout(
    ModelContract Contract,
    InputEncoding Encoding,
    int BoxesOutput,
    int LabelsOutput,
    int ScoresOutput,
    int MasksOutput,
    int RawMaskSize,
    int PadMultiple,
    bool MaskShapeSymbolic = false)
{
    public const string ContractKey = "realtimeseg.contract";
    public const string EncodingKey = "realtimeseg.input";

    /// <summary>Detectron's BGR pixel mean, which zoo models subtract.</summary>
    public static readonly float[] ZooMeanBgr = [102.9801f, 115.9465f, 122.7717f];

    public bool HasMasks => MasksOutput >= 0;

    public static string Name(ModelContract c) => c switch
    {
        ModelContract.Torchvision => "torchvision",
        ModelContract.TorchvisionRaw => "torchvision-raw",
        ModelContract.Zoo => "zoo",
        _ => "detection-only",
    };

    public static ModelContract Parse(string name) => name switch
    {
        "torchvision" => ModelContract.Torchvision,
        "torchvision-raw" => ModelContract.TorchvisionRaw,
        "zoo" => ModelContract.Zoo,
        "detection-only" => ModelContract.DetectionOnly,
        _ => throw new ModelLoadException($"unknown contract '{Printable(name)}'; expected torchvision, torchvision-raw, zoo or detection-only"),
    };

    /// <summary>
    /// Picks the contract from the model's inputs and outputs. Metadata (<c>realtimeseg.contract</c>) or an
    /// explicit <paramref name="forced"/> contract settles what shapes cannot: raw 28×28 masks look the same in
    /// torchvision-raw and zoo exports, so without metadata the zoo's bare numeric output names decide.
    /// </summary>
    /// <param name="modelName">The model's file name, for messages.</param>
    /// <param name="inputs">The graph's inputs as declared.</param>
    /// <param name="outputs">The graph's outputs as declared.</param>
    /// <param name="metadata">The model's custom metadata.</param>
    /// <param name="forced">A contract the caller insists on, or null to detect it.</param>
    /// <param name="observedMaskSize">The mask output's (height, width) seen in a real run, for exports that
    /// declare them symbolic: a run tells raw (small, fixed) from pasted (the input's size) where the graph does not.</param>
    public static ModelLayout Detect(string modelName, IReadOnlyList<TensorInfo> inputs, IReadOnlyList<TensorInfo> outputs,
        IReadOnlyDictionary<string, string> metadata, ModelContract? forced = null, (long H, long W, long InputH, long InputW)? observedMaskSize = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(metadata);
        const string expected = "expected a detector: one float32[3,H,W] image input; outputs boxes float32[N,4], labels int64[N], scores float32[N] and optionally masks float32[N,1,h,w]";
        string found = $"inputs {Describe(inputs)}, outputs {Describe(outputs)}";

        if (inputs.Count != 1 || !IsImageInput(inputs[0]))
        {
            throw new ModelLoadException($"{modelName} is not a detector RealtimeSeg can serve: it has {found}; {expected}");
        }
        int boxes = Find(outputs, "boxes", o => o.ElementType == TensorElementType.Float && o.Rank == 2 && o.FixedDim(1) == 4);
        int labels = Find(outputs, "labels", o => o.ElementType == TensorElementType.Int64 && o.Rank == 1);
        int scores = Find(outputs, "scores", o => o.ElementType == TensorElementType.Float && o.Rank == 1);
        int masks = Find(outputs, "masks", o => o.ElementType == TensorElementType.Float && o.Rank == 4);
        if (boxes < 0 || labels < 0 || scores < 0)
        {
            throw new ModelLoadException($"{modelName} is not a detector RealtimeSeg can serve: it has {found}; {expected}");
        }

        int rawSize = 0;
        bool symbolic = false;
        if (masks >= 0)
        {
            var m = outputs[masks];
            if (observedMaskSize is { } seen)
            {
                bool pasted = seen.H == seen.InputH && seen.W == seen.InputW;
                rawSize = pasted ? 0 : (int)seen.H;
                if (!pasted && seen.H != seen.W)
                {
                    throw new ModelLoadException($"{modelName}: masks came out {seen.H}x{seen.W} for a {seen.InputW}x{seen.InputH} input; expected square raw masks or masks the size of the input");
                }
            }
            else if (m.FixedDim(2) is long h && m.FixedDim(3) is long w)
            {
                if (h != w)
                {
                    throw new ModelLoadException($"{modelName}: mask output {m} is not square; expected float32[N,1,M,M] raw masks or float32[N,1,H,W] pasted ones");
                }
                rawSize = (int)h;
            }
            else
            {
                symbolic = true;
            }
        }

        ModelContract? declared = forced;
        if (declared is null && metadata.TryGetValue(ContractKey, out string? name))
        {
            declared = Parse(name);
        }
        ModelContract inferred = masks < 0 ? ModelContract.DetectionOnly
            : symbolic && declared is { } hint ? hint
            : rawSize == 0 ? ModelContract.Torchvision
            : outputs.All(o => o.Name.All(char.IsAsciiDigit)) ? ModelContract.Zoo
            : ModelContract.TorchvisionRaw;
        ModelContract contract = declared ?? inferred;
        if (declared is { } d && !Compatible(d, inferred))
        {
            throw new ModelLoadException($"{modelName} is declared '{Name(d)}' but its outputs fit '{Name(inferred)}' ({Describe(outputs)})");
        }

        InputEncoding encoding = contract == ModelContract.Zoo ? InputEncoding.BgrMeanSubtracted : InputEncoding.Rgb01;
        if (contract == ModelContract.DetectionOnly && metadata.TryGetValue(EncodingKey, out string? enc) && enc == "bgr-mean")
        {
            encoding = InputEncoding.BgrMeanSubtracted;
        }
        return new ModelLayout(contract, encoding, boxes, labels, scores, contract == ModelContract.DetectionOnly ? -1 : masks,
            rawSize, contract == ModelContract.Zoo ? 32 : 1, symbolic && contract != ModelContract.DetectionOnly);
    }

    /// <summary>Text from a model file as one printable line, at most 40 characters: metadata is whatever an export wrote.</summary>
    internal static string Printable(string text)
    {
        var cleaned = new string(text.Take(40).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length > 40 ? cleaned + "..." : cleaned;
    }

    private static bool Compatible(ModelContract declared, ModelContract inferred) => declared switch
    {
        ModelContract.Torchvision => inferred == ModelContract.Torchvision,
        ModelContract.TorchvisionRaw or ModelContract.Zoo => inferred is ModelContract.TorchvisionRaw or ModelContract.Zoo,
        _ => true, // a model with masks may be served as detection-only (masks ignored)
    };

    private static bool IsImageInput(TensorInfo t) =>
        t.IsTensor && t.ElementType == TensorElementType.Float && t.Rank == 3 && (t.FixedDim(0) ?? 3) == 3;

    // By conventional name first, then by the one output whose type and rank fit.
    private static int Find(IReadOnlyList<TensorInfo> outputs, string name, Func<TensorInfo, bool> fits)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            if (outputs[i].IsTensor && outputs[i].Name == name && fits(outputs[i]))
            {
                return i;
            }
        }
        int found = -1;
        for (int i = 0; i < outputs.Count; i++)
        {
            if (outputs[i].IsTensor && fits(outputs[i]))
            {
                if (found >= 0)
                {
                    return -1; // ambiguous without names
                }
                found = i;
            }
        }
        return found;
    }

    private static string Describe(IReadOnlyList<TensorInfo> infos) =>
        infos.Count == 0 ? "(none)" : string.Join(", ", infos.Select(i => i.ToString()));

    internal static int? MetadataInt(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : null;
}
