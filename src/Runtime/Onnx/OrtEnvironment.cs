using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// ONNX Runtime's one environment per process, created with a logging function that routes each message to the
/// session it belongs to: ORT tags every session message with the session's log id, so each model gets its own
/// logger, its own probing quietness and its own node-placement count. Messages with no known session (the
/// environment's own) go to the first logger any session named.
/// </summary>
internal static class OrtEnvironment
{
    private static readonly Lock Gate = new();
    private static readonly ConcurrentDictionary<string, SessionLog> Sessions = new(StringComparer.Ordinal);
    private static volatile ILogger? _fallbackLogger;
    private static long _nextId;

    // Messages ORT logs on this thread under no session while a provider is appended (e.g. the provider bridge's
    // "Failed to load library ... libcublas.so.13: cannot open shared object file"): the reason its exception omits.
    [ThreadStatic]
    private static List<string>? _captured;

    /// <summary>False when the host created ORT's environment before us: then ORT logs where the host said.</summary>
    public static bool RoutesLogs { get; private set; }

    /// <summary>Loads the library and creates the environment (first call only).</summary>
    public static void EnsureCreated(string? libraryPath, ILogger? logger)
    {
        lock (Gate)
        {
            if (logger is not null && _fallbackLogger is null)
            {
                _fallbackLogger = logger;
            }
        }
        OrtLibrary.EnsureLoaded(libraryPath);
    }

    /// <summary>Creates ORT's environment with our logging function, unless the host already made one.</summary>
    internal static void CreateOnce()
    {
        lock (Gate)
        {
            if (OrtEnv.IsCreated)
            {
                return;
            }
            var options = new EnvironmentCreationOptions
            {
                logId = "realtimeseg",
                // The environment's own floor; each session's logger has its own level (set on its options).
                logLevel = Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
                loggingFunction = OnLog,
            };
            OrtEnv.CreateInstanceWithOptions(ref options);
            RoutesLogs = true;
        }
    }

    /// <summary>Registers a session's log sink under a fresh log id; dispose it with the session.</summary>
    public static SessionLog OpenLog(ILogger? logger, OrtLoggingLevel minimum)
    {
        string id = "realtimeseg-" + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var log = new SessionLog(id, logger, minimum);
        Sessions[id] = log;
        return log;
    }

    internal static void CloseLog(SessionLog log) => Sessions.TryRemove(log.Id, out _);

    /// <summary>
    /// Until disposed, ORT's messages on this thread that belong to no session are kept in the returned list instead
    /// of being logged: a provider's load failure is explained by its caller, not printed as a stray error.
    /// </summary>
    public static UntaggedCapture CaptureUntagged()
    {
        _captured = [];
        return new UntaggedCapture(_captured);
    }

    internal static void EndCapture() => _captured = null;

    // Called on ORT's threads; must not throw back into native code.
    private static void OnLog(nint param, Microsoft.ML.OnnxRuntime.OrtLoggingLevel severity, string category, string logId,
        string codeLocation, string message)
    {
        try
        {
            if (Sessions.TryGetValue(logId, out var session))
            {
                session.Receive((OrtLoggingLevel)severity, codeLocation, message);
            }
            else if (_captured is { } captured)
            {
                captured.Add(message);
            }
            else
            {
                SessionLog.Forward(_fallbackLogger, (OrtLoggingLevel)severity, quiet: false, codeLocation, message);
            }
        }
#pragma warning disable CA1031 // an exception must not cross into ORT's thread
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }
}

/// <summary>ORT messages captured by <see cref="OrtEnvironment.CaptureUntagged"/>; dispose to log normally again.</summary>
internal sealed class UntaggedCapture(List<string> messages) : IDisposable
{
    public IReadOnlyList<string> Messages => messages;

    public void Dispose() => OrtEnvironment.EndCapture();
}

/// <summary>
/// One session's share of ORT's log: forwards messages at or above its level to its logger, keeps quiet while a
/// provider is being probed (an expected failure is not an error), and counts the nodes ORT places on each
/// execution provider from the placement lines ORT writes at verbose level while it builds the session.
/// </summary>
internal sealed class SessionLog : IDisposable
{
    private const string AllNodes = "All nodes placed on [";
    private const string SomeNodes = "Node(s) placed on [";
    private const string CountMarker = "Number of nodes: ";
    private readonly ILogger? _logger;
    private readonly OrtLoggingLevel _minimum;
    private readonly ConcurrentDictionary<string, int> _placement = new(StringComparer.Ordinal);
    private volatile bool _probing;

    public SessionLog(string id, ILogger? logger, OrtLoggingLevel minimum)
    {
        Id = id;
        _logger = logger;
        _minimum = minimum;
    }

    public string Id { get; }

    /// <summary>While set, ORT's messages are passed on at debug level only.</summary>
    public bool Probing
    {
        get => _probing;
        set => _probing = value;
    }

    /// <summary>Nodes per execution provider as ORT placed them; empty until a session was built.</summary>
    public IReadOnlyDictionary<string, int> Placement => _placement;

    public void ForgetPlacement() => _placement.Clear();

    public void Receive(OrtLoggingLevel severity, string codeLocation, string message)
    {
        if (TryParsePlacement(message, out string? provider, out int nodes))
        {
            _placement[provider] = nodes;
        }
        if (severity >= _minimum)
        {
            Forward(_logger, severity, _probing, codeLocation, message);
        }
    }

    internal static void Forward(ILogger? logger, OrtLoggingLevel severity, bool quiet, string codeLocation, string message)
    {
        if (logger is null)
        {
            return;
        }
        var level = severity switch
        {
            OrtLoggingLevel.Verbose => LogLevel.Trace,
            OrtLoggingLevel.Info => LogLevel.Debug,
            OrtLoggingLevel.Warning => LogLevel.Warning,
            OrtLoggingLevel.Error => LogLevel.Error,
            _ => LogLevel.Critical,
        };
        if (quiet && level < LogLevel.Critical)
        {
            level = LogLevel.Debug;
        }
        if (logger.IsEnabled(level))
        {
#pragma warning disable CA1848, CA2254 // ORT's text is the template; this path is not hot
            logger.Log(level, "[ORT {Location}] {Message}", codeLocation, message);
#pragma warning restore CA1848, CA2254
        }
    }

    // " All nodes placed on [CPUExecutionProvider]. Number of nodes: 1224" or " Node(s) placed on [CUDAExecutionProvider]. Number of nodes: 410"
    internal static bool TryParsePlacement(string message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? provider, out int nodes)
    {
        provider = null;
        nodes = 0;
        int start = message.IndexOf(AllNodes, StringComparison.Ordinal) is int a and >= 0 ? a + AllNodes.Length
            : message.IndexOf(SomeNodes, StringComparison.Ordinal) is int s and >= 0 ? s + SomeNodes.Length : -1;
        if (start < 0)
        {
            return false;
        }
        int end = message.IndexOf(']', start);
        int count = message.IndexOf(CountMarker, start, StringComparison.Ordinal);
        if (end < 0 || count < 0 ||
            !int.TryParse(message.AsSpan(count + CountMarker.Length).TrimEnd(), NumberStyles.Integer, CultureInfo.InvariantCulture, out nodes))
        {
            return false;
        }
        provider = message[start..end];
        return true;
    }

    public void Dispose() => OrtEnvironment.CloseLog(this);
}
