using System.CommandLine;
using Microsoft.Extensions.Logging;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;

namespace RealtimeSeg.App.Commands;

/// <summary>The options every command that loads a model shares, and their translation into runtime settings.</summary>
internal sealed class ModelArguments
{
    public Option<string> Model { get; } = new("--model", "-m")
    {
        Description = "Path of the .onnx model (its class names come from MODEL.labels.txt beside it, or the model's metadata)",
        Required = true,
    };

    public Option<string> Provider { get; } = new("--provider")
    {
        Description = "Execution provider: auto tries tensorrt, cuda, dml, coreml, webgpu, then cpu, and keeps the first that loads",
        DefaultValueFactory = _ => "auto",
    };

    public Option<int> Threads { get; } = new("--threads")
    {
        Description = "ORT intra-op threads (0 = one per physical core)",
        DefaultValueFactory = _ => 0,
    };

    public Option<string> Spin { get; } = new("--spin")
    {
        Description = "ORT intra-op threads spin (on) or sleep (off) between parallel sections; default: ORT's own (on)",
        DefaultValueFactory = _ => "default",
    };

    public Option<int?> Size { get; } = new("--size")
    {
        Description = "Short side of the model input in pixels (default: the model's own, else 800)",
    };

    public Option<string?> Contract { get; } = new("--contract")
    {
        Description = "Force the model contract: torchvision, torchvision-raw, zoo or detection-only (default: detected)",
    };

    public Option<string?> Labels { get; } = new("--labels")
    {
        Description = "Labels file (one class name per line, background first) instead of MODEL.labels.txt",
    };

    public Option<string?> OrtLib { get; } = new("--ort-lib")
    {
        Description = $"A custom ONNX Runtime library to load instead of the package's (default: ${OrtLibrary.EnvironmentVariable}, else the one the build brought); it must be ONNX Runtime {OrtLibrary.PackageVersion} or newer",
    };

    public Option<string> OptLevel { get; } = new("--opt-level")
    {
        Description = "Graph optimisation: none, basic, extended or all",
        DefaultValueFactory = _ => "all",
    };

    public Option<string?> OptimizedModel { get; } = new("--optimized-model")
    {
        Description = "Write ORT's optimised graph to this path (inspect it, or load it later to skip optimisation)",
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Print ONNX Runtime's own log messages (info and above)",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, Provider, Threads, Spin, Size, Contract, Labels, OrtLib, OptLevel, OptimizedModel, Verbose })
        {
            command.Options.Add(option);
        }
    }

    public SegmentationModel Open(ParseResult parse, bool warmUp = true)
    {
        bool verbose = parse.GetValue(Verbose);
        var inference = new InferenceOptions
        {
            Provider = ParseProvider(parse.GetValue(Provider)!),
            IntraOpThreads = parse.GetValue(Threads),
            Spinning = parse.GetValue(Spin)!.ToLowerInvariant() switch
            {
                "default" => null,
                "on" => true,
                "off" => false,
                var other => throw new RealtimeSegException($"--spin '{other}': expected on, off or default"),
            },
            Optimization = ParseOptLevel(parse.GetValue(OptLevel)!),
            OptimizedModelPath = parse.GetValue(OptimizedModel),
            OrtLibraryPath = parse.GetValue(OrtLib),
            LogLevel = verbose ? OrtLoggingLevel.Info : OrtLoggingLevel.Warning,
            Logger = new StderrLogger(verbose ? LogLevel.Debug : LogLevel.Warning),
        };
        if (inference.IntraOpThreads < 0)
        {
            throw new RealtimeSegException($"--threads {inference.IntraOpThreads} is negative; use 0 for ORT's default or a thread count");
        }
        var model = new ModelOptions
        {
            Size = parse.GetValue(Size),
            Contract = parse.GetValue(Contract) is { } c ? ModelLayout.Parse(c) : null,
            LabelsPath = parse.GetValue(Labels),
            WarmUp = warmUp,
        };
        return SegmentationModel.Open(parse.GetValue(Model)!, inference, model);
    }

    public static ExecutionProvider ParseProvider(string name) => name.ToLowerInvariant() switch
    {
        "auto" => ExecutionProvider.Auto,
        "cpu" => ExecutionProvider.Cpu,
        "cuda" => ExecutionProvider.Cuda,
        "tensorrt" => ExecutionProvider.TensorRT,
        "dml" or "directml" => ExecutionProvider.DirectML,
        "coreml" => ExecutionProvider.CoreML,
        "webgpu" => ExecutionProvider.WebGpu,
        _ => throw new RealtimeSegException($"unknown provider '{name}'; expected auto, cpu, cuda, tensorrt, dml, coreml or webgpu"),
    };

    private static GraphOptimizationLevel ParseOptLevel(string name) => name.ToLowerInvariant() switch
    {
        "none" => GraphOptimizationLevel.None,
        "basic" => GraphOptimizationLevel.Basic,
        "extended" => GraphOptimizationLevel.Extended,
        "all" => GraphOptimizationLevel.All,
        _ => throw new RealtimeSegException($"unknown --opt-level '{name}'; expected none, basic, extended or all"),
    };
}

/// <summary>Minimal logger for ORT's messages: one line each on stderr.</summary>
internal sealed class StderrLogger(LogLevel minimum) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine($"{logLevel.ToString().ToLowerInvariant()}: {CliWording.ForCommandLine(formatter(state, exception))}");
        }
    }
}
