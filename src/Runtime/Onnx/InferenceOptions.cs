using Microsoft.Extensions.Logging;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>How a model session is created. <see cref="Default"/> suits a CPU-only machine.</summary>
public sealed record InferenceOptions
{
    /// <summary>Auto provider, ORT's thread defaults, full optimisation, warnings logged nowhere.</summary>
    public static InferenceOptions Default { get; } = new();

    /// <summary>Where the model runs; <see cref="ExecutionProvider.Auto"/> takes the best that loads.</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Auto;

    /// <summary>Threads ORT uses inside one operator; 0 lets ORT choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Runs of the model that may be in flight at once over every stream (pipeline) that shares it, admitted in
    /// turn; null: 2 on the CPU provider (measured: see docs/ARCHITECTURE.md, several streams), 1 on the others.
    /// </summary>
    public int? ConcurrentRuns { get; init; }

    /// <summary>Threads running independent operators in parallel; 0 or 1 keeps the sequential executor.</summary>
    public int InterOpThreads { get; init; }

    /// <summary>
    /// Whether ORT's intra-op threads spin between parallel sections (ORT's default) instead of sleeping. Spinning
    /// shaves wake-up latency on an idle machine but burns the cores that capture, pre/post-processing and the
    /// renderer need; null keeps ORT's default.
    /// </summary>
    public bool? Spinning { get; init; }

    /// <summary>How much ORT rewrites the graph at load.</summary>
    public GraphOptimizationLevel Optimization { get; init; } = GraphOptimizationLevel.All;

    /// <summary>Where ORT writes the optimized graph, for inspection or a faster later load; null writes none.</summary>
    public string? OptimizedModelPath { get; init; }

    /// <summary>The ONNX Runtime library to load; null searches (see <see cref="OrtLibrary"/>).</summary>
    public string? OrtLibraryPath { get; init; }

    /// <summary>Least severe ORT message passed to <see cref="Logger"/>.</summary>
    public OrtLoggingLevel LogLevel { get; init; } = OrtLoggingLevel.Warning;

    /// <summary>Where this model's ORT messages go (one logger per model; null drops them).</summary>
    public ILogger? Logger { get; init; }
}
