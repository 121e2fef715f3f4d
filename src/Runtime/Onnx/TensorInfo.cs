using Microsoft.ML.OnnxRuntime;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// A model input or output as the graph declares it. A dimension of -1 is symbolic (or unknown), and
/// <see cref="DimensionNames"/> holds its name (e.g. "height"), or "" for a fixed one.
/// </summary>
internal sealed record TensorInfo(string Name, bool IsTensor, TensorElementType ElementType, long[] Shape, string[] DimensionNames)
{
    public int Rank => Shape.Length;

    /// <summary>The size of dimension <paramref name="axis"/> when fixed, else null.</summary>
    public long? FixedDim(int axis) => axis < Shape.Length && Shape[axis] >= 0 ? Shape[axis] : null;

    internal static TensorInfo From(string name, NodeMetadata metadata)
    {
        if (!metadata.IsTensor)
        {
            return new TensorInfo(name, false, TensorElementType.Undefined, [], []);
        }
        long[] shape = metadata.Dimensions.Select(d => (long)d).ToArray();
        string[] names = metadata.SymbolicDimensions.Select(s => s ?? "").ToArray();
        return new TensorInfo(name, true, (TensorElementType)metadata.ElementDataType, shape, names);
    }

    public override string ToString()
    {
        if (!IsTensor)
        {
            return $"{Name}: (not a tensor)";
        }
        var dims = Shape.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : DimensionNames[i].Length > 0 ? DimensionNames[i] : "?");
        return $"{Name}: {TypeName(ElementType)}[{string.Join(',', dims)}]";
    }

    public static string TypeName(TensorElementType t) => t switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Double => "float64",
        TensorElementType.Float16 => "float16",
        TensorElementType.Int64 => "int64",
        TensorElementType.Int32 => "int32",
        TensorElementType.UInt8 => "uint8",
        TensorElementType.Bool => "bool",
        _ => t.ToString().ToLowerInvariant(),
    };
}
