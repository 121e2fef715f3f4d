using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// Which ONNX Runtime native library the official managed API (<c>Microsoft.ML.OnnxRuntime.Managed</c>) binds to.
/// By default that is the library the build's package put beside the app (<see cref="Package"/>); a custom build
/// can be named with <see cref="InferenceOptions.OrtLibraryPath"/> or <c>REALTIMESEG_ORT_LIB</c>. A process
/// loads one native library once, so this is process-wide by nature: the first session decides it.
/// </summary>
public static class OrtLibrary
{
    /// <summary>The environment variable naming a custom ONNX Runtime library.</summary>
    public const string EnvironmentVariable = "REALTIMESEG_ORT_LIB";

    private const string ImportName = "onnxruntime"; // the name the managed API's DllImports use
    private static readonly Lock Gate = new();
    private static bool _resolverSet;
    private static string? _chosenPath;

    /// <summary>
    /// The ONNX Runtime native package the app's library came from: <c>Microsoft.ML.OnnxRuntime</c> (CPU) or
    /// <c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c> / <c>.Gpu.Windows</c>, told by the files beside it (the GPU
    /// packages ship a CUDA provider library). Read from the app folder, so it is true in a host's app too.
    /// </summary>
    public static string Package => Flavor == "gpu"
        ? OperatingSystem.IsWindows() ? "Microsoft.ML.OnnxRuntime.Gpu.Windows" : "Microsoft.ML.OnnxRuntime.Gpu.Linux"
        : "Microsoft.ML.OnnxRuntime";

    /// <summary>The version of ORT's managed API this app runs (the native library must be this version or newer).</summary>
    public static string PackageVersion { get; } =
        (typeof(OrtEnv).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?").Split('+')[0];

    /// <summary><c>gpu</c> when the CUDA provider library sits beside the app's ONNX Runtime (a GPU package), else <c>cpu</c>.</summary>
    public static string Flavor => File.Exists(Path.Combine(Path.GetDirectoryName(DefaultPath) ?? AppContext.BaseDirectory,
        OperatingSystem.IsWindows() ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so")) ? "gpu" : "cpu";

    /// <summary>
    /// Where the app's package put the native library: beside the app when it was built for a runtime identifier,
    /// else under <c>runtimes/RID/native/</c> (a portable build).
    /// </summary>
    private static string DefaultPath
    {
        get
        {
            string beside = Path.Combine(AppContext.BaseDirectory, FileName);
            string portable = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", FileName);
            return File.Exists(beside) || !File.Exists(portable) ? beside : portable;
        }
    }

    /// <summary>Path of the loaded library, or null before the first session.</summary>
    public static string? LoadedPath { get; private set; }

    /// <summary>True when a custom library (not the package's) was loaded.</summary>
    public static bool IsCustom { get; private set; }

    /// <summary>Version string the loaded library reports (e.g. "1.31.0"); empty before the first session.</summary>
    public static string Version { get; private set; } = "";

    /// <summary>The native library's file name on this OS.</summary>
    public static string FileName =>
        OperatingSystem.IsWindows() ? "onnxruntime.dll" :
        OperatingSystem.IsMacOS() ? "libonnxruntime.dylib" : "libonnxruntime.so";

    /// <summary>One line for <c>info</c> and logs: version, where the library came from, and its path.</summary>
    public static string Description => IsCustom
        ? $"{Version} (custom library {LoadedPath}; managed API {PackageVersion})"
        : $"{Version} (package {Package} {PackageVersion}, {LoadedPath})";

    /// <summary>
    /// Chooses the library (first call only) and loads it through the managed API. Later calls must name the same
    /// library or none: one process can hold only one ONNX Runtime.
    /// </summary>
    public static void EnsureLoaded(string? explicitPath = null)
    {
        lock (Gate)
        {
            if (LoadedPath is not null)
            {
                if (!string.IsNullOrEmpty(explicitPath) && Path.GetFullPath(explicitPath) != LoadedPath)
                {
                    throw new OrtException(
                        $"ONNX Runtime is already loaded from {LoadedPath}; one process can use only one library, so '{explicitPath}' cannot be loaded too");
                }
                return;
            }

            string? custom = !string.IsNullOrEmpty(explicitPath) ? explicitPath
                : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv ? fromEnv : null;
            if (custom is not null && !File.Exists(custom))
            {
                throw new OrtException(
                    $"ONNX Runtime library {custom} not found; name an existing {FileName}, or leave the custom library unset to use the one from {Package}");
            }
            string path = custom is not null ? Path.GetFullPath(custom) : DefaultPath;
            if (custom is null && !File.Exists(path))
            {
                throw new OrtException(
                    $"ONNX Runtime's native library {FileName} is not in {AppContext.BaseDirectory}: reference one ONNX Runtime native package (Microsoft.ML.OnnxRuntime for the CPU, Microsoft.ML.OnnxRuntime.Gpu.Linux or .Gpu.Windows for CUDA) and build for this platform (dotnet build -r {RuntimeInformation.RuntimeIdentifier})");
            }
            SetResolver(path);

            try
            {
                // The first call into the managed API loads the library; the environment must be ours from the start
                // (ORT fixes its logger when the environment is created).
                OrtEnvironment.CreateOnce();
                Version = OrtEnv.Instance().GetVersionString();
            }
            catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException
                                          or BadImageFormatException or OnnxRuntimeException)
            {
                string reason = (e.InnerException ?? e).Message;
                throw new OrtException(custom is null
                    ? $"cannot load ONNX Runtime from {path}: {reason}"
                    : $"cannot use the ONNX Runtime library {path}: {reason}; a custom library must be ONNX Runtime {PackageVersion} or newer (this build's managed API), built for this platform", e);
            }
            if (_chosenPath is null && custom is not null)
            {
                throw new OrtException($"the host application chose ONNX Runtime's library before RealtimeSeg could load {custom}");
            }
            LoadedPath = _chosenPath ?? "(chosen by the host application)";
            IsCustom = custom is not null;
        }
    }

    // The managed API resolves its DllImport name "onnxruntime" itself; ours points it at exactly one file, so the
    // path reported is the path loaded, and a custom library cannot be shadowed by the package's.
    private static void SetResolver(string path)
    {
        if (_resolverSet)
        {
            // A failed load left the resolver in place; the managed API's type initialiser does not run twice.
            throw new OrtException($"ONNX Runtime failed to load earlier in this process; restart it to load {path}");
        }
        _chosenPath = path;
        _resolverSet = true;
        OrtEnv.DisableDllImportResolver = true;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(OrtEnv).Assembly, (name, _, _) =>
                name == ImportName ? NativeLibrary.Load(_chosenPath!) : 0);
        }
        catch (InvalidOperationException)
        {
            // The host set a resolver for the managed API before us: its choice of library stands.
            _chosenPath = null;
        }
    }
}
