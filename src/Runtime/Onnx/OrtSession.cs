using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using RealtimeSeg.Runtime.Onnx.Native;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// An ONNX Runtime inference session over a model file: its inputs, outputs, metadata and the provider it runs on.
/// Thread safety: several threads may run one session at once, each through its own <see cref="RunBinding"/>.
/// </summary>
public sealed unsafe class OrtSession : IDisposable
{
    private readonly OrtEnvironment _env;
    private readonly OrtHandle _session;
    private readonly nint _inputNames;   // byte*[]: UTF-8 names, allocated once, passed to every Run
    private readonly nint _outputNames;
    private bool _disposed;

    private OrtSession(OrtEnvironment env, OrtHandle session, ExecutionProvider provider, IReadOnlyList<ProviderAttempt> attempts, int intraOpThreads)
    {
        _env = env;
        IntraOpThreads = intraOpThreads;
        _session = session;
        Provider = provider;
        ProviderAttempts = attempts;
        Inputs = ReadInfos(input: true);
        Outputs = ReadInfos(input: false);
        (ProducerName, Metadata) = ReadMetadata();
        _inputNames = AllocNameArray(Inputs);
        _outputNames = AllocNameArray(Outputs);
    }

    public IReadOnlyList<TensorInfo> Inputs { get; }

    public IReadOnlyList<TensorInfo> Outputs { get; }

    /// <summary>The provider the session runs on.</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>The intra-op thread count asked for; 0 means ORT's default (one per physical core).</summary>
    public int IntraOpThreads { get; }

    /// <summary>Every provider tried, in order, with ORT's reason for each that failed.</summary>
    public IReadOnlyList<ProviderAttempt> ProviderAttempts { get; }

    public string ProducerName { get; }

    /// <summary>The model's custom metadata (key/value pairs written by the exporter).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    internal OrtEnvironment Environment => _env;

    internal nint Handle => _session.DangerousGetHandle();

    internal byte** InputNames => (byte**)_inputNames;

    internal byte** OutputNames => (byte**)_outputNames;

    /// <summary>Opens <paramref name="modelPath"/>. Errors carry ORT's message; no handle outlives a failure.</summary>
    public static OrtSession Open(string modelPath, InferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var env = OrtEnvironment.Acquire(options.OrtLibraryPath, options.LogLevel);
        if (options.Logger is not null)
        {
            OrtEnvironment.Logger = options.Logger;
        }
        try
        {
            return OpenWithProvider(env, modelPath, options);
        }
        catch
        {
            env.Release();
            throw;
        }
    }

    private static OrtSession OpenWithProvider(OrtEnvironment env, string modelPath, InferenceOptions options)
    {
        var attempts = new List<ProviderAttempt>();
        ExecutionProvider[] candidates;
        if (options.Provider == ExecutionProvider.Auto)
        {
            var compiledIn = ExecutionProviders.Available();
            candidates = ExecutionProviders.AutoOrder
                .Where(p => p == ExecutionProvider.Cpu || compiledIn.Contains(ExecutionProviders.OrtName(p)))
                .ToArray();
        }
        else
        {
            candidates = [options.Provider];
        }

        foreach (var provider in candidates)
        {
            using var sessionOptions = CreateSessionOptions(options);
            bool probing = options.Provider == ExecutionProvider.Auto && provider != ExecutionProvider.Cpu;
            string? failure;
            nint status = 0;
            nint session = 0;
            using (probing ? OrtEnvironment.ProbeScope() : null)
            using (var stderr = provider == ExecutionProvider.WebGpu ? new StderrCapture() : null)
            {
                failure = ExecutionProviders.TryAppend(sessionOptions.DangerousGetHandle(), provider);
                if (failure is null)
                {
                    status = CreateSession(env, modelPath, sessionOptions, &session);
                }
                string printed = stderr?.Stop() ?? "";
                if (printed.Length > 0)
                {
                    OrtEnvironment.Logger?.Log(failure is null && status == 0 ? LogLevel.Information : LogLevel.Debug,
                        "{Provider} printed while loading: {Text}", ExecutionProviders.CliName(provider), printed);
                }
            }
            if (failure is null)
            {
                if (status == 0)
                {
                    attempts.Add(new ProviderAttempt(provider, null));
                    return new OrtSession(env, new OrtHandle(session, OrtHandleKind.Session), provider, attempts, options.IntraOpThreads);
                }
                if (provider == ExecutionProvider.Cpu || options.Provider != ExecutionProvider.Auto)
                {
                    string message = OrtStatus.TakeMessage(status, out var code);
                    throw new OrtException(message, code) { FromCreateSession = true };
                }
                // A GPU provider that appends but then fails to build the session: fall back like a failed append.
                failure = OrtStatus.TakeMessage(status, out _);
            }
            attempts.Add(new ProviderAttempt(provider, failure));
            if (options.Provider != ExecutionProvider.Auto)
            {
                throw new OrtException(
                    $"execution provider '{ExecutionProviders.CliName(provider)}' is not usable with {Path.GetFileName(OrtLibrary.LoadedPath)}: {failure.TrimEnd('.', ' ', '\n')}. Use --provider auto or cpu, or point {OrtLibrary.EnvironmentVariable} at an ONNX Runtime build that has it");
            }
        }
        throw new OrtException("no execution provider could be loaded");
    }

    private static OrtHandle CreateSessionOptions(InferenceOptions options)
    {
        nint raw;
        OrtStatus.Check(OrtApi.CreateSessionOptions(&raw));
        var handle = new OrtHandle(raw, OrtHandleKind.SessionOptions);
        try
        {
            OrtStatus.Check(OrtApi.SetSessionGraphOptimizationLevel(raw, options.Optimization));
            OrtStatus.Check(OrtApi.SetSessionLogSeverityLevel(raw, options.LogLevel));
            fixed (byte* id = "realtimeseg-session"u8)
            {
                OrtStatus.Check(OrtApi.SetSessionLogId(raw, id));
            }
            if (options.IntraOpThreads > 0)
            {
                OrtStatus.Check(OrtApi.SetIntraOpNumThreads(raw, options.IntraOpThreads));
            }
            if (options.InterOpThreads > 1)
            {
                OrtStatus.Check(OrtApi.SetSessionExecutionMode(raw, ExecutionMode.Parallel));
                OrtStatus.Check(OrtApi.SetInterOpNumThreads(raw, options.InterOpThreads));
            }
            if (options.Spinning is { } spin)
            {
                fixed (byte* key = "session.intra_op.allow_spinning"u8)
                fixed (byte* value = spin ? "1"u8 : "0"u8)
                {
                    OrtStatus.Check(OrtApi.AddSessionConfigEntry(raw, key, value));
                }
            }
            if (OrtApi.HasGraphAssignmentInfo)
            {
                // Lets NodePlacement say how many nodes a GPU provider left to the CPU.
                fixed (byte* key = "session.record_ep_graph_assignment_info"u8)
                fixed (byte* one = "1"u8)
                {
                    OrtStatus.Check(OrtApi.AddSessionConfigEntry(raw, key, one));
                }
            }
            if (options.OptimizedModelPath is { } optimized)
            {
                using var path = new NativePath(optimized);
                OrtStatus.Check(OrtApi.SetOptimizedModelFilePath(raw, path.Pointer));
            }
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static nint CreateSession(OrtEnvironment env, string modelPath, OrtHandle options, nint* session)
    {
        using var path = new NativePath(modelPath);
        return OrtApi.CreateSession(env.Handle.DangerousGetHandle(), path.Pointer, options.DangerousGetHandle(), session);
    }

    /// <summary>
    /// Graph nodes per execution provider, as ORT placed them (e.g. CUDA: 410, CPU: 37 = 37 nodes fell back to
    /// the CPU). Null when the library predates ORT 1.24 and cannot say.
    /// </summary>
    public IReadOnlyDictionary<string, int>? NodePlacement
    {
        get
        {
            if (!OrtApi.HasGraphAssignmentInfo)
            {
                return null;
            }
            nint* subgraphs;
            nuint count;
            OrtStatus.Check(OrtApi.SessionGetEpGraphAssignmentInfo(Handle, &subgraphs, &count));
            var placement = new Dictionary<string, int>(StringComparer.Ordinal);
            for (nuint i = 0; i < count; i++)
            {
                // Borrowed from the session: nothing here is released.
                byte* name;
                OrtStatus.Check(OrtApi.EpAssignedSubgraphGetEpName(subgraphs[i], &name));
                nint* nodes;
                nuint nodeCount;
                OrtStatus.Check(OrtApi.EpAssignedSubgraphGetNodes(subgraphs[i], &nodes, &nodeCount));
                string ep = Marshal.PtrToStringUTF8((nint)name) ?? "?";
                placement[ep] = placement.GetValueOrDefault(ep) + (int)nodeCount;
            }
            return placement;
        }
    }

    /// <summary>Creates the per-run state (input/output values, run options) for one in-flight run.</summary>
    public RunBinding CreateBinding() => new(this);

    private TensorInfo[] ReadInfos(bool input)
    {
        nuint count;
        nint session = Handle;
        OrtStatus.Check(input ? OrtApi.SessionGetInputCount(session, &count) : OrtApi.SessionGetOutputCount(session, &count));
        nint allocator = OrtEnvironment.DefaultAllocator;
        var infos = new TensorInfo[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            OrtStatus.Check(input ? OrtApi.SessionGetInputName(session, i, allocator, &rawName)
                                  : OrtApi.SessionGetOutputName(session, i, allocator, &rawName));
            string name = Marshal.PtrToStringUTF8((nint)rawName) ?? "";
            OrtStatus.Check(OrtApi.AllocatorFree(allocator, rawName));

            nint typeInfo;
            OrtStatus.Check(input ? OrtApi.SessionGetInputTypeInfo(session, i, &typeInfo)
                                  : OrtApi.SessionGetOutputTypeInfo(session, i, &typeInfo));
            try
            {
                infos[i] = ReadTypeInfo(name, typeInfo);
            }
            finally
            {
                OrtApi.ReleaseTypeInfo(typeInfo);
            }
        }
        return infos;
    }

    private static TensorInfo ReadTypeInfo(string name, nint typeInfo)
    {
        OnnxType kind;
        OrtStatus.Check(OrtApi.GetOnnxTypeFromTypeInfo(typeInfo, &kind));
        if (kind != OnnxType.Tensor)
        {
            return new TensorInfo(name, false, TensorElementType.Undefined, [], []);
        }
        nint tensorInfo; // borrowed from typeInfo: not released here
        OrtStatus.Check(OrtApi.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo));
        TensorElementType elementType;
        OrtStatus.Check(OrtApi.GetTensorElementType(tensorInfo, &elementType));
        nuint rank;
        OrtStatus.Check(OrtApi.GetDimensionsCount(tensorInfo, &rank));
        var dims = new long[(int)rank];
        var names = new string[(int)rank];
        if (rank > 0)
        {
            var symbolic = stackalloc byte*[(int)rank];
            fixed (long* d = dims)
            {
                OrtStatus.Check(OrtApi.GetDimensions(tensorInfo, d, rank));
            }
            OrtStatus.Check(OrtApi.GetSymbolicDimensions(tensorInfo, symbolic, rank));
            for (int k = 0; k < (int)rank; k++)
            {
                names[k] = symbolic[k] == null ? "" : Marshal.PtrToStringUTF8((nint)symbolic[k]) ?? "";
            }
        }
        return new TensorInfo(name, true, elementType, dims, names);
    }

    private (string Producer, IReadOnlyDictionary<string, string> Custom) ReadMetadata()
    {
        nint metadata;
        OrtStatus.Check(OrtApi.SessionGetModelMetadata(Handle, &metadata));
        nint allocator = OrtEnvironment.DefaultAllocator;
        try
        {
            byte* producer;
            OrtStatus.Check(OrtApi.ModelMetadataGetProducerName(metadata, allocator, &producer));
            string producerName = Marshal.PtrToStringUTF8((nint)producer) ?? "";
            OrtStatus.Check(OrtApi.AllocatorFree(allocator, producer));

            var custom = new Dictionary<string, string>(StringComparer.Ordinal);
            byte** keys;
            long count;
            OrtStatus.Check(OrtApi.ModelMetadataGetCustomMetadataMapKeys(metadata, allocator, &keys, &count));
            for (long i = 0; i < count; i++)
            {
                byte* value;
                OrtStatus.Check(OrtApi.ModelMetadataLookupCustomMetadataMap(metadata, allocator, keys[i], &value));
                string key = Marshal.PtrToStringUTF8((nint)keys[i]) ?? "";
                if (value != null)
                {
                    custom[key] = Marshal.PtrToStringUTF8((nint)value) ?? "";
                    OrtStatus.Check(OrtApi.AllocatorFree(allocator, value));
                }
                OrtStatus.Check(OrtApi.AllocatorFree(allocator, keys[i]));
            }
            if (keys != null)
            {
                OrtStatus.Check(OrtApi.AllocatorFree(allocator, keys));
            }
            return (producerName, custom);
        }
        finally
        {
            OrtApi.ReleaseModelMetadata(metadata);
        }
    }

    private static nint AllocNameArray(IReadOnlyList<TensorInfo> infos)
    {
        var array = (byte**)NativeMemory.Alloc((nuint)Math.Max(1, infos.Count), (nuint)sizeof(byte*));
        for (int i = 0; i < infos.Count; i++)
        {
            int length = Encoding.UTF8.GetByteCount(infos[i].Name);
            var bytes = (byte*)NativeMemory.Alloc((nuint)length + 1);
            Encoding.UTF8.GetBytes(infos[i].Name, new Span<byte>(bytes, length));
            bytes[length] = 0;
            array[i] = bytes;
        }
        return (nint)array;
    }

    private static void FreeNameArray(nint array, int count)
    {
        var names = (byte**)array;
        for (int i = 0; i < count; i++)
        {
            NativeMemory.Free(names[i]);
        }
        NativeMemory.Free(names);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _session.Dispose();
        FreeNameArray(_inputNames, Inputs.Count);
        FreeNameArray(_outputNames, Outputs.Count);
        _env.Release();
    }

    /// <summary>A file path in ORTCHAR_T form: UTF-8 on Unix, UTF-16 on Windows, NUL-terminated.</summary>
    private readonly struct NativePath : IDisposable
    {
        public NativePath(string path)
        {
            Pointer = OperatingSystem.IsWindows()
                ? (void*)Marshal.StringToHGlobalUni(path)
                : (void*)Marshal.StringToCoTaskMemUTF8(path);
        }

        public void* Pointer { get; }

        public void Dispose()
        {
            if (OperatingSystem.IsWindows())
            {
                Marshal.FreeHGlobal((nint)Pointer);
            }
            else
            {
                Marshal.FreeCoTaskMem((nint)Pointer);
            }
        }
    }
}
