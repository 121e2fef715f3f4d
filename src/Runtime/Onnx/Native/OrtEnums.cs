namespace RealtimeSeg.Runtime.Onnx.Native;

// C enums of onnxruntime_c_api.h that the binding passes or reads; all are 32-bit ints.

internal enum OrtErrorCode
{
    Ok = 0, Fail = 1, InvalidArgument = 2, NoSuchFile = 3, NoModel = 4, EngineError = 5, RuntimeException = 6,
    InvalidProtobuf = 7, ModelLoaded = 8, NotImplemented = 9, InvalidGraph = 10, EpFail = 11,
}

/// <summary>ORT's log severities, also used as the minimum level to report.</summary>
public enum OrtLoggingLevel { Verbose = 0, Info = 1, Warning = 2, Error = 3, Fatal = 4 }

/// <summary>How much graph rewriting ORT does when it loads a model.</summary>
public enum GraphOptimizationLevel { None = 0, Basic = 1, Extended = 2, All = 99 }

internal enum ExecutionMode { Sequential = 0, Parallel = 1 }

internal enum OrtAllocatorType { Invalid = -1, Device = 0, Arena = 1 }

internal enum OrtMemType { CpuInput = -2, CpuOutput = -1, Default = 0 }

internal enum OnnxType { Unknown = 0, Tensor = 1, Sequence = 2, Map = 3, Opaque = 4, SparseTensor = 5, Optional = 6 }

/// <summary>ONNXTensorElementDataType.</summary>
public enum TensorElementType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8,
    Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14, Complex128 = 15, BFloat16 = 16,
}
