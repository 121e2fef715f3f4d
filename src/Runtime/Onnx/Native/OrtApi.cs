using System.Runtime.InteropServices;

namespace RealtimeSeg.Runtime.Onnx.Native;

// The ONNX Runtime C API, bound through the OrtApi function table (only the slots RealtimeSeg calls).
//
// Slot numbers are 0-based indices into `const OrtApi*`; each was verified against ORT 1.30.0 by calling it
// (shared/ORT_C_API.md). C typedefs map to C# as:
//   OrtEnv*, OrtSession*, OrtValue*, ... (opaque)  -> nint
//   OrtStatus* (NULL = success, else owned by us)   -> nint, checked by OrtStatus.Check
//   size_t -> nuint, int64_t -> long, C enums -> int, const char* -> byte* (UTF-8)
//   ORTCHAR_T* (file paths only)                     -> void*: UTF-8 on Unix, UTF-16 on Windows
// ORT_API_CALL is the platform C convention, so Cdecl is right on every 64-bit target.
internal static unsafe class OrtApi
{
    /// <summary>The highest "since API" among the slots below (GetBuildInfoString, API 15 = ORT 1.15).</summary>
    public const uint RequiredApiVersion = 15;

    private static delegate* unmanaged[Cdecl]<nint, int> _getErrorCode;
    private static delegate* unmanaged[Cdecl]<nint, byte*> _getErrorMessage;
    private static delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<nint, int, byte*, byte*, byte*, byte*, void>, nint, int, byte*, nint*, nint> _createEnvWithCustomLogger;
    private static delegate* unmanaged[Cdecl]<nint, void*, nint, nint*, nint> _createSession;
    private static delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint> _run;
    private static delegate* unmanaged[Cdecl]<nint*, nint> _createSessionOptions;
    private static delegate* unmanaged[Cdecl]<nint, void*, nint> _setOptimizedModelFilePath;
    private static delegate* unmanaged[Cdecl]<nint, int, nint> _setSessionExecutionMode;
    private static delegate* unmanaged[Cdecl]<nint, byte*, nint> _setSessionLogId;
    private static delegate* unmanaged[Cdecl]<nint, int, nint> _setSessionLogSeverityLevel;
    private static delegate* unmanaged[Cdecl]<nint, int, nint> _setSessionGraphOptimizationLevel;
    private static delegate* unmanaged[Cdecl]<nint, int, nint> _setIntraOpNumThreads;
    private static delegate* unmanaged[Cdecl]<nint, int, nint> _setInterOpNumThreads;
    private static delegate* unmanaged[Cdecl]<nint, nuint*, nint> _sessionGetInputCount;
    private static delegate* unmanaged[Cdecl]<nint, nuint*, nint> _sessionGetOutputCount;
    private static delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> _sessionGetInputTypeInfo;
    private static delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> _sessionGetOutputTypeInfo;
    private static delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> _sessionGetInputName;
    private static delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> _sessionGetOutputName;
    private static delegate* unmanaged[Cdecl]<nint*, nint> _createRunOptions;
    private static delegate* unmanaged[Cdecl]<nint, nint> _runOptionsSetTerminate;
    private static delegate* unmanaged[Cdecl]<nint, nint> _runOptionsUnsetTerminate;
    private static delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint> _createTensorWithDataAsOrtValue;
    private static delegate* unmanaged[Cdecl]<nint, void**, nint> _getTensorMutableData;
    private static delegate* unmanaged[Cdecl]<nint, nint*, nint> _castTypeInfoToTensorInfo;
    private static delegate* unmanaged[Cdecl]<nint, int*, nint> _getOnnxTypeFromTypeInfo;
    private static delegate* unmanaged[Cdecl]<nint, int*, nint> _getTensorElementType;
    private static delegate* unmanaged[Cdecl]<nint, nuint*, nint> _getDimensionsCount;
    private static delegate* unmanaged[Cdecl]<nint, long*, nuint, nint> _getDimensions;
    private static delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint> _getSymbolicDimensions;
    private static delegate* unmanaged[Cdecl]<nint, nint*, nint> _getTensorTypeAndShape;
    private static delegate* unmanaged[Cdecl]<int, int, nint*, nint> _createCpuMemoryInfo;
    private static delegate* unmanaged[Cdecl]<nint, void*, nint> _allocatorFree;
    private static delegate* unmanaged[Cdecl]<nint*, nint> _getAllocatorWithDefaultOptions;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseEnv;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseStatus;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseMemoryInfo;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseSession;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseValue;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseRunOptions;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseTypeInfo;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseTensorTypeAndShapeInfo;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseSessionOptions;
    private static delegate* unmanaged[Cdecl]<nint, nint*, nint> _sessionGetModelMetadata;
    private static delegate* unmanaged[Cdecl]<nint, nint, byte**, nint> _modelMetadataGetProducerName;
    private static delegate* unmanaged[Cdecl]<nint, nint, byte*, byte**, nint> _modelMetadataLookupCustomMetadataMap;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseModelMetadata;
    private static delegate* unmanaged[Cdecl]<nint, nint, byte***, long*, nint> _modelMetadataGetCustomMetadataMapKeys;
    private static delegate* unmanaged[Cdecl]<byte***, int*, nint> _getAvailableProviders;
    private static delegate* unmanaged[Cdecl]<byte**, int, nint> _releaseAvailableProviders;
    private static delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint> _addSessionConfigEntry;
    private static delegate* unmanaged[Cdecl]<nint, nint, nint> _appendTensorRtV2;
    private static delegate* unmanaged[Cdecl]<nint*, nint> _createTensorRtProviderOptions;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseTensorRtProviderOptions;
    private static delegate* unmanaged[Cdecl]<nint, nint, nint> _appendCudaV2;
    private static delegate* unmanaged[Cdecl]<nint*, nint> _createCudaProviderOptions;
    private static delegate* unmanaged[Cdecl]<nint, byte**, byte**, nuint, nint> _updateCudaProviderOptions;
    private static delegate* unmanaged[Cdecl]<nint, void> _releaseCudaProviderOptions;
    private static delegate* unmanaged[Cdecl]<nint, byte*, byte**, byte**, nuint, nint> _appendExecutionProvider;
    private static delegate* unmanaged[Cdecl]<byte*> _getBuildInfoString;
    private static delegate* unmanaged[Cdecl]<nint, nint**, nuint*, nint> _sessionGetEpGraphAssignmentInfo;
    private static delegate* unmanaged[Cdecl]<nint, byte**, nint> _epAssignedSubgraphGetEpName;
    private static delegate* unmanaged[Cdecl]<nint, nint**, nuint*, nint> _epAssignedSubgraphGetNodes;

    /// <summary>Slots 407-409 exist from API 24 (ORT 1.24) on; older libraries leave them unbound.</summary>
    public static bool HasGraphAssignmentInfo { get; private set; }

    /// <summary>Fills every entry point from the table returned by <c>GetApi(RequiredApiVersion)</c>.</summary>
    public static void Load(nint table, int libraryMinorVersion)
    {
        var t = (nint*)table;
        _getErrorCode = (delegate* unmanaged[Cdecl]<nint, int>)t[1];
        _getErrorMessage = (delegate* unmanaged[Cdecl]<nint, byte*>)t[2];
        _createEnvWithCustomLogger = (delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<nint, int, byte*, byte*, byte*, byte*, void>, nint, int, byte*, nint*, nint>)t[4];
        _createSession = (delegate* unmanaged[Cdecl]<nint, void*, nint, nint*, nint>)t[7];
        _run = (delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)t[9];
        _createSessionOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)t[10];
        _setOptimizedModelFilePath = (delegate* unmanaged[Cdecl]<nint, void*, nint>)t[11];
        _setSessionExecutionMode = (delegate* unmanaged[Cdecl]<nint, int, nint>)t[13];
        _setSessionLogId = (delegate* unmanaged[Cdecl]<nint, byte*, nint>)t[20];
        _setSessionLogSeverityLevel = (delegate* unmanaged[Cdecl]<nint, int, nint>)t[22];
        _setSessionGraphOptimizationLevel = (delegate* unmanaged[Cdecl]<nint, int, nint>)t[23];
        _setIntraOpNumThreads = (delegate* unmanaged[Cdecl]<nint, int, nint>)t[24];
        _setInterOpNumThreads = (delegate* unmanaged[Cdecl]<nint, int, nint>)t[25];
        _sessionGetInputCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)t[30];
        _sessionGetOutputCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)t[31];
        _sessionGetInputTypeInfo = (delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)t[33];
        _sessionGetOutputTypeInfo = (delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)t[34];
        _sessionGetInputName = (delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)t[36];
        _sessionGetOutputName = (delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)t[37];
        _createRunOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)t[39];
        _runOptionsSetTerminate = (delegate* unmanaged[Cdecl]<nint, nint>)t[46];
        _runOptionsUnsetTerminate = (delegate* unmanaged[Cdecl]<nint, nint>)t[47];
        _createTensorWithDataAsOrtValue = (delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint>)t[49];
        _getTensorMutableData = (delegate* unmanaged[Cdecl]<nint, void**, nint>)t[51];
        _castTypeInfoToTensorInfo = (delegate* unmanaged[Cdecl]<nint, nint*, nint>)t[55];
        _getOnnxTypeFromTypeInfo = (delegate* unmanaged[Cdecl]<nint, int*, nint>)t[56];
        _getTensorElementType = (delegate* unmanaged[Cdecl]<nint, int*, nint>)t[60];
        _getDimensionsCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)t[61];
        _getDimensions = (delegate* unmanaged[Cdecl]<nint, long*, nuint, nint>)t[62];
        _getSymbolicDimensions = (delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint>)t[63];
        _getTensorTypeAndShape = (delegate* unmanaged[Cdecl]<nint, nint*, nint>)t[65];
        _createCpuMemoryInfo = (delegate* unmanaged[Cdecl]<int, int, nint*, nint>)t[69];
        _allocatorFree = (delegate* unmanaged[Cdecl]<nint, void*, nint>)t[76];
        _getAllocatorWithDefaultOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)t[78];
        _releaseEnv = (delegate* unmanaged[Cdecl]<nint, void>)t[92];
        _releaseStatus = (delegate* unmanaged[Cdecl]<nint, void>)t[93];
        _releaseMemoryInfo = (delegate* unmanaged[Cdecl]<nint, void>)t[94];
        _releaseSession = (delegate* unmanaged[Cdecl]<nint, void>)t[95];
        _releaseValue = (delegate* unmanaged[Cdecl]<nint, void>)t[96];
        _releaseRunOptions = (delegate* unmanaged[Cdecl]<nint, void>)t[97];
        _releaseTypeInfo = (delegate* unmanaged[Cdecl]<nint, void>)t[98];
        _releaseTensorTypeAndShapeInfo = (delegate* unmanaged[Cdecl]<nint, void>)t[99];
        _releaseSessionOptions = (delegate* unmanaged[Cdecl]<nint, void>)t[100];
        _sessionGetModelMetadata = (delegate* unmanaged[Cdecl]<nint, nint*, nint>)t[111];
        _modelMetadataGetProducerName = (delegate* unmanaged[Cdecl]<nint, nint, byte**, nint>)t[112];
        _modelMetadataLookupCustomMetadataMap = (delegate* unmanaged[Cdecl]<nint, nint, byte*, byte**, nint>)t[116];
        _releaseModelMetadata = (delegate* unmanaged[Cdecl]<nint, void>)t[118];
        _modelMetadataGetCustomMetadataMapKeys = (delegate* unmanaged[Cdecl]<nint, nint, byte***, long*, nint>)t[123];
        _getAvailableProviders = (delegate* unmanaged[Cdecl]<byte***, int*, nint>)t[125];
        _releaseAvailableProviders = (delegate* unmanaged[Cdecl]<byte**, int, nint>)t[126];
        _addSessionConfigEntry = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint>)t[130];
        _appendTensorRtV2 = (delegate* unmanaged[Cdecl]<nint, nint, nint>)t[170];
        _createTensorRtProviderOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)t[171];
        _releaseTensorRtProviderOptions = (delegate* unmanaged[Cdecl]<nint, void>)t[174];
        _appendCudaV2 = (delegate* unmanaged[Cdecl]<nint, nint, nint>)t[204];
        _createCudaProviderOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)t[205];
        _updateCudaProviderOptions = (delegate* unmanaged[Cdecl]<nint, byte**, byte**, nuint, nint>)t[206];
        _releaseCudaProviderOptions = (delegate* unmanaged[Cdecl]<nint, void>)t[208];
        _appendExecutionProvider = (delegate* unmanaged[Cdecl]<nint, byte*, byte**, byte**, nuint, nint>)t[216];
        _getBuildInfoString = (delegate* unmanaged[Cdecl]<byte*>)t[254];

        // The table has no length: read API-24 slots only from a library that has them.
        HasGraphAssignmentInfo = libraryMinorVersion >= 24;
        if (HasGraphAssignmentInfo)
        {
            _sessionGetEpGraphAssignmentInfo = (delegate* unmanaged[Cdecl]<nint, nint**, nuint*, nint>)t[407];
            _epAssignedSubgraphGetEpName = (delegate* unmanaged[Cdecl]<nint, byte**, nint>)t[408];
            _epAssignedSubgraphGetNodes = (delegate* unmanaged[Cdecl]<nint, nint**, nuint*, nint>)t[409];
        }
    }

    public static OrtErrorCode GetErrorCode(nint status) => (OrtErrorCode)_getErrorCode(status);
    public static byte* GetErrorMessage(nint status) => _getErrorMessage(status);
    public static nint CreateEnvWithCustomLogger(delegate* unmanaged[Cdecl]<nint, int, byte*, byte*, byte*, byte*, void> logger, nint param, OrtLoggingLevel level, byte* logId, nint* env) => _createEnvWithCustomLogger(logger, param, (int)level, logId, env);
    public static nint CreateSession(nint env, void* modelPath, nint options, nint* session) => _createSession(env, modelPath, options, session);
    public static nint Run(nint session, nint runOptions, byte** inputNames, nint* inputs, nuint inputCount, byte** outputNames, nuint outputCount, nint* outputs) => _run(session, runOptions, inputNames, inputs, inputCount, outputNames, outputCount, outputs);
    public static nint CreateSessionOptions(nint* options) => _createSessionOptions(options);
    public static nint SetOptimizedModelFilePath(nint options, void* path) => _setOptimizedModelFilePath(options, path);
    public static nint SetSessionExecutionMode(nint options, ExecutionMode mode) => _setSessionExecutionMode(options, (int)mode);
    public static nint SetSessionLogId(nint options, byte* logId) => _setSessionLogId(options, logId);
    public static nint SetSessionLogSeverityLevel(nint options, OrtLoggingLevel level) => _setSessionLogSeverityLevel(options, (int)level);
    public static nint SetSessionGraphOptimizationLevel(nint options, GraphOptimizationLevel level) => _setSessionGraphOptimizationLevel(options, (int)level);
    public static nint SetIntraOpNumThreads(nint options, int threads) => _setIntraOpNumThreads(options, threads);
    public static nint SetInterOpNumThreads(nint options, int threads) => _setInterOpNumThreads(options, threads);
    public static nint SessionGetInputCount(nint session, nuint* count) => _sessionGetInputCount(session, count);
    public static nint SessionGetOutputCount(nint session, nuint* count) => _sessionGetOutputCount(session, count);
    public static nint SessionGetInputTypeInfo(nint session, nuint index, nint* typeInfo) => _sessionGetInputTypeInfo(session, index, typeInfo);
    public static nint SessionGetOutputTypeInfo(nint session, nuint index, nint* typeInfo) => _sessionGetOutputTypeInfo(session, index, typeInfo);
    public static nint SessionGetInputName(nint session, nuint index, nint allocator, byte** name) => _sessionGetInputName(session, index, allocator, name);
    public static nint SessionGetOutputName(nint session, nuint index, nint allocator, byte** name) => _sessionGetOutputName(session, index, allocator, name);
    public static nint CreateRunOptions(nint* options) => _createRunOptions(options);
    public static nint RunOptionsSetTerminate(nint options) => _runOptionsSetTerminate(options);
    public static nint RunOptionsUnsetTerminate(nint options) => _runOptionsUnsetTerminate(options);
    public static nint CreateTensorWithDataAsOrtValue(nint memoryInfo, void* data, nuint byteCount, long* shape, nuint rank, TensorElementType type, nint* value) => _createTensorWithDataAsOrtValue(memoryInfo, data, byteCount, shape, rank, (int)type, value);
    public static nint GetTensorMutableData(nint value, void** data) => _getTensorMutableData(value, data);
    public static nint CastTypeInfoToTensorInfo(nint typeInfo, nint* tensorInfo) => _castTypeInfoToTensorInfo(typeInfo, tensorInfo);
    public static nint GetOnnxTypeFromTypeInfo(nint typeInfo, OnnxType* type) => _getOnnxTypeFromTypeInfo(typeInfo, (int*)type);
    public static nint GetTensorElementType(nint tensorInfo, TensorElementType* type) => _getTensorElementType(tensorInfo, (int*)type);
    public static nint GetDimensionsCount(nint tensorInfo, nuint* count) => _getDimensionsCount(tensorInfo, count);
    public static nint GetDimensions(nint tensorInfo, long* dims, nuint count) => _getDimensions(tensorInfo, dims, count);
    public static nint GetSymbolicDimensions(nint tensorInfo, byte** names, nuint count) => _getSymbolicDimensions(tensorInfo, names, count);
    public static nint GetTensorTypeAndShape(nint value, nint* tensorInfo) => _getTensorTypeAndShape(value, tensorInfo);
    public static nint CreateCpuMemoryInfo(OrtAllocatorType allocatorType, OrtMemType memType, nint* memoryInfo) => _createCpuMemoryInfo((int)allocatorType, (int)memType, memoryInfo);
    public static nint AllocatorFree(nint allocator, void* p) => _allocatorFree(allocator, p);
    public static nint GetAllocatorWithDefaultOptions(nint* allocator) => _getAllocatorWithDefaultOptions(allocator);
    public static void ReleaseEnv(nint env) => _releaseEnv(env);
    public static void ReleaseStatus(nint status) => _releaseStatus(status);
    public static void ReleaseMemoryInfo(nint memoryInfo) => _releaseMemoryInfo(memoryInfo);
    public static void ReleaseSession(nint session) => _releaseSession(session);
    public static void ReleaseValue(nint value) => _releaseValue(value);
    public static void ReleaseRunOptions(nint options) => _releaseRunOptions(options);
    public static void ReleaseTypeInfo(nint typeInfo) => _releaseTypeInfo(typeInfo);
    public static void ReleaseTensorTypeAndShapeInfo(nint tensorInfo) => _releaseTensorTypeAndShapeInfo(tensorInfo);
    public static void ReleaseSessionOptions(nint options) => _releaseSessionOptions(options);
    public static nint SessionGetModelMetadata(nint session, nint* metadata) => _sessionGetModelMetadata(session, metadata);
    public static nint ModelMetadataGetProducerName(nint metadata, nint allocator, byte** value) => _modelMetadataGetProducerName(metadata, allocator, value);
    public static nint ModelMetadataLookupCustomMetadataMap(nint metadata, nint allocator, byte* key, byte** value) => _modelMetadataLookupCustomMetadataMap(metadata, allocator, key, value);
    public static void ReleaseModelMetadata(nint metadata) => _releaseModelMetadata(metadata);
    public static nint ModelMetadataGetCustomMetadataMapKeys(nint metadata, nint allocator, byte*** keys, long* count) => _modelMetadataGetCustomMetadataMapKeys(metadata, allocator, keys, count);
    public static nint GetAvailableProviders(byte*** providers, int* count) => _getAvailableProviders(providers, count);
    public static nint ReleaseAvailableProviders(byte** providers, int count) => _releaseAvailableProviders(providers, count);
    public static nint AddSessionConfigEntry(nint options, byte* key, byte* value) => _addSessionConfigEntry(options, key, value);
    public static nint AppendExecutionProviderTensorRtV2(nint options, nint tensorRtOptions) => _appendTensorRtV2(options, tensorRtOptions);
    public static nint CreateTensorRtProviderOptions(nint* tensorRtOptions) => _createTensorRtProviderOptions(tensorRtOptions);
    public static void ReleaseTensorRtProviderOptions(nint tensorRtOptions) => _releaseTensorRtProviderOptions(tensorRtOptions);
    public static nint AppendExecutionProviderCudaV2(nint options, nint cudaOptions) => _appendCudaV2(options, cudaOptions);
    public static nint CreateCudaProviderOptions(nint* cudaOptions) => _createCudaProviderOptions(cudaOptions);
    public static nint UpdateCudaProviderOptions(nint cudaOptions, byte** keys, byte** values, nuint count) => _updateCudaProviderOptions(cudaOptions, keys, values, count);
    public static void ReleaseCudaProviderOptions(nint cudaOptions) => _releaseCudaProviderOptions(cudaOptions);
    public static nint AppendExecutionProvider(nint options, byte* name, byte** keys, byte** values, nuint count) => _appendExecutionProvider(options, name, keys, values, count);
    public static byte* GetBuildInfoString() => _getBuildInfoString();
    public static nint SessionGetEpGraphAssignmentInfo(nint session, nint** subgraphs, nuint* count) => _sessionGetEpGraphAssignmentInfo(session, subgraphs, count);
    public static nint EpAssignedSubgraphGetEpName(nint subgraph, byte** name) => _epAssignedSubgraphGetEpName(subgraph, name);
    public static nint EpAssignedSubgraphGetNodes(nint subgraph, nint** nodes, nuint* count) => _epAssignedSubgraphGetNodes(subgraph, nodes, count);
}
