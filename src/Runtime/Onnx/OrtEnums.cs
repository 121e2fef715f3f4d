namespace RealtimeSeg.Runtime.Onnx;

// RealtimeSeg's own names for the few ONNX Runtime enums its public API takes or gives, so a host does not
// need ORT's types to configure a model. Values equal ORT's (and ONNX's), so each maps by a cast.

/// <summary>ORT's log severities, also used as the minimum level to report.</summary>
public enum OrtLoggingLevel { Verbose = 0, Info = 1, Warning = 2, Error = 3, Fatal = 4 }

/// <summary>How much graph rewriting ORT does when it loads a model.</summary>
public enum GraphOptimizationLevel { None = 0, Basic = 1, Extended = 2, All = 99 }

/// <summary>ONNX tensor element types (<c>ONNXTensorElementDataType</c>).</summary>
public enum TensorElementType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8,
    Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14, Complex128 = 15, BFloat16 = 16,
}
