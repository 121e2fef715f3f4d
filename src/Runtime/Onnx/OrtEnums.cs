namespace RealtimeSeg.Runtime.Onnx;

// RealtimeSeg's own names for the few ONNX Runtime enums its public API takes or gives, so a host does not
// need ORT's types to configure a model. Values equal ORT's (and ONNX's), so each maps by a cast.

/// <summary>ORT's log severities, also used as the minimum level to report.</summary>
public enum OrtLoggingLevel
{
    /// <summary>Everything ORT says, including per-node detail.</summary>
    Verbose = 0,

    /// <summary>Informational messages (session set-up, placement).</summary>
    Info = 1,

    /// <summary>Warnings and worse (the default).</summary>
    Warning = 2,

    /// <summary>Errors and worse.</summary>
    Error = 3,

    /// <summary>Fatal errors only.</summary>
    Fatal = 4,
}

/// <summary>How much graph rewriting ORT does when it loads a model.</summary>
public enum GraphOptimizationLevel
{
    /// <summary>The graph as exported.</summary>
    None = 0,

    /// <summary>Provider-independent rewrites (constant folding, redundant node removal).</summary>
    Basic = 1,

    /// <summary>Basic plus fusions of common node patterns.</summary>
    Extended = 2,

    /// <summary>Everything ORT knows, including layout changes (the default).</summary>
    All = 99,
}

/// <summary>ONNX tensor element types (<c>ONNXTensorElementDataType</c>).</summary>
internal enum TensorElementType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8,
    Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14, Complex128 = 15, BFloat16 = 16,
}
