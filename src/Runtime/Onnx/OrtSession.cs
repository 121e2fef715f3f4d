using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// An ONNX Runtime inference session over a model file: its inputs, outputs, metadata and the provider it runs on.
/// Thread safety: several threads may run one session at once, each through its own <see cref="RunBinding"/>.
/// </summary>
internal sealed class OrtSession : IDisposable
{
    private InferenceSession? _session;
    private SessionLog? _log;

    private readonly string _modelPath;
    private readonly InferenceOptions _options;
    private IReadOnlyDictionary<string, int>? _placement;

    private OrtSession(string modelPath, InferenceSession session, SessionLog log, ExecutionProvider provider, IReadOnlyList<ProviderAttempt> attempts, InferenceOptions options)
    {
        _modelPath = modelPath;
        _options = options;
        _session = session;
        _log = log;
        Provider = provider;
        ProviderAttempts = attempts;
        IntraOpThreads = options.IntraOpThreads;
        LogLevel = options.LogLevel;
        Inputs = session.InputNames.Select(n => TensorInfo.From(n, session.InputMetadata[n])).ToArray();
        Outputs = session.OutputNames.Select(n => TensorInfo.From(n, session.OutputMetadata[n])).ToArray();
        var metadata = session.ModelMetadata;
        ProducerName = metadata.ProducerName ?? "";
        Metadata = new Dictionary<string, string>(metadata.CustomMetadataMap, StringComparer.Ordinal);
    }

    public IReadOnlyList<TensorInfo> Inputs { get; }

    public IReadOnlyList<TensorInfo> Outputs { get; }

    /// <summary>The provider the session runs on.</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>The intra-op thread count asked for; 0 means ORT's default (one per physical core).</summary>
    public int IntraOpThreads { get; }

    /// <summary>Every provider tried, in order, with the reason for each that failed.</summary>
    public IReadOnlyList<ProviderAttempt> ProviderAttempts { get; }

    public string ProducerName { get; }

    /// <summary>The model's custom metadata (key/value pairs written by the exporter).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Graph nodes per execution provider, as ORT placed them (e.g. CUDA: 410, CPU: 37 = 37 nodes fell back to the
    /// CPU). Null when ORT did not say: the host created ORT's environment itself, so its log is not ours to read.
    /// <para>
    /// ORT reports placement only in its verbose log, and a session built at verbose level keeps logging every run
    /// (57 KB of messages a frame on the demo model). So the first read builds a second, verbose session on the same
    /// provider just to count, and throws it away: a one-off cost for inspection (<c>info</c>), none for inference.
    /// </para>
    /// </summary>
    public IReadOnlyDictionary<string, int>? NodePlacement
    {
        get
        {
            if (_placement is null && OrtEnvironment.RoutesLogs)
            {
                using var log = OrtEnvironment.OpenLog(null, OrtLoggingLevel.Fatal);
                string? failure = TryCreate(_modelPath, _options with { OptimizedModelPath = null }, Provider, log, out var probe, verbose: true);
                if (probe is not null)
                {
                    OrtObject.Release(ref probe);
                }
                if (failure is null && log.Placement.Count > 0)
                {
                    _placement = new Dictionary<string, int>(log.Placement, StringComparer.Ordinal);
                }
            }
            return _placement;
        }
    }

    internal OrtLoggingLevel LogLevel { get; }

    internal InferenceSession Inner => _session ?? throw new ObjectDisposedException(nameof(OrtSession));

    /// <summary>Opens <paramref name="modelPath"/>. Errors carry ORT's message; no handle outlives a failure.</summary>
    public static OrtSession Open(string modelPath, InferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OrtEnvironment.EnsureCreated(options.OrtLibraryPath, options.Logger);

        var attempts = new List<ProviderAttempt>();
        ExecutionProvider[] candidates = options.Provider == ExecutionProvider.Auto
            ? AutoCandidates()
            : [options.Provider];
        foreach (var provider in candidates)
        {
            bool probing = options.Provider == ExecutionProvider.Auto && provider != ExecutionProvider.Cpu;
            var log = OrtEnvironment.OpenLog(options.Logger, options.LogLevel);
            log.Probing = probing;
            string? failure;
            try
            {
                failure = TryCreate(modelPath, options, provider, log, out var session);
                if (session is not null)
                {
                    log.Probing = false;
                    attempts.Add(new ProviderAttempt(provider, null));
                    if (attempts.Count > 1 && options.Logger is { } logger)
                    {
#pragma warning disable CA1848 // once per session
                        logger.LogWarning("running on {Provider}: {Reasons}", ExecutionProviders.CliName(provider),
                            string.Join("; ", attempts.Where(a => a.Failure is not null).Select(a => a.Failure)));
#pragma warning restore CA1848
                    }
                    return new OrtSession(modelPath, session, log, provider, attempts, options);
                }
            }
            catch
            {
                log.Dispose();
                throw;
            }
            log.Dispose();
            string explained = GpuRequirements.Explain(provider, failure!);
            attempts.Add(new ProviderAttempt(provider, explained));
            if (options.Provider != ExecutionProvider.Auto)
            {
                throw new OrtException($"execution provider '{ExecutionProviders.CliName(provider)}' is not usable: {explained}");
            }
        }
        throw new OrtException("no execution provider could be loaded");
    }

    /// <summary>What <c>auto</c> tries: the GPU providers the loaded build has compiled in, best first, then the CPU.</summary>
    private static ExecutionProvider[] AutoCandidates()
    {
        var compiledIn = OrtEnv.Instance().GetAvailableProviders();
        return ExecutionProviders.AutoOrder
            .Where(p => p == ExecutionProvider.Cpu || compiledIn.Contains(ExecutionProviders.OrtName(p)))
            .ToArray();
    }

    /// <summary>
    /// Builds a session on one provider. Returns null with the session, or the reason the provider could not be used.
    /// A model that ORT cannot load throws (no other provider would load it either).
    /// </summary>
    private static string? TryCreate(string modelPath, InferenceOptions options, ExecutionProvider provider, SessionLog log,
        out InferenceSession? session, bool verbose = false)
    {
        session = null;
        var sessionOptions = OrtObject.Track(CreateSessionOptions(options, log, verbose));
        try
        {
            string? failure = ExecutionProviders.TryAppend(sessionOptions, provider);
            if (failure is not null)
            {
                return failure;
            }
            try
            {
                session = OrtObject.Track(new InferenceSession(modelPath, sessionOptions));
                return null;
            }
            catch (OnnxRuntimeException e) when (provider != ExecutionProvider.Cpu && !IsModelError(e))
            {
                // A GPU provider that appends but then fails to build the session (no device, old driver, missing cuDNN).
                return OrtException.MessageOf(e);
            }
            catch (OnnxRuntimeException e)
            {
                throw new OrtException(OneLine(OrtException.MessageOf(e)), e) { FromCreateSession = true };
            }
        }
        finally
        {
            OrtObject.Release(ref sessionOptions);
        }
    }

    private static bool IsModelError(OnnxRuntimeException e) =>
        e.Message.Contains("[ErrorCode:InvalidProtobuf]", StringComparison.Ordinal) ||
        e.Message.Contains("[ErrorCode:NoSuchFile]", StringComparison.Ordinal) ||
        e.Message.Contains("[ErrorCode:InvalidGraph]", StringComparison.Ordinal);

    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static SessionOptions CreateSessionOptions(InferenceOptions options, SessionLog log, bool verbose)
    {
        var so = new SessionOptions();
        try
        {
            so.GraphOptimizationLevel = (Microsoft.ML.OnnxRuntime.GraphOptimizationLevel)options.Optimization;
            so.LogSeverityLevel = verbose ? Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE
                : (Microsoft.ML.OnnxRuntime.OrtLoggingLevel)options.LogLevel;
            so.LogId = log.Id;
            if (options.IntraOpThreads > 0)
            {
                so.IntraOpNumThreads = options.IntraOpThreads;
            }
            if (options.InterOpThreads > 1)
            {
                so.ExecutionMode = ExecutionMode.ORT_PARALLEL;
                so.InterOpNumThreads = options.InterOpThreads;
            }
            if (options.Spinning is { } spin)
            {
                so.AddSessionConfigEntry("session.intra_op.allow_spinning", spin ? "1" : "0");
            }
            if (options.OptimizedModelPath is { } optimized)
            {
                so.OptimizedModelFilePath = optimized;
            }
            return so;
        }
        catch
        {
            so.Dispose();
            throw;
        }
    }

    /// <summary>Creates the per-run state (I/O binding, run options) for one in-flight run.</summary>
    public RunBinding CreateBinding() => new(this);

    public void Dispose()
    {
        OrtObject.Release(ref _session);
        Interlocked.Exchange(ref _log, null)?.Dispose();
    }
}
