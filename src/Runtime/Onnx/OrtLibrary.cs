using RealtimeSeg.Runtime.Onnx.Native;
using System.Runtime.InteropServices;

namespace RealtimeSeg.Runtime.Onnx;

/// <summary>
/// Finds and loads the ONNX Runtime shared library once per process and binds its function table.
/// Search order: an explicit path (<c>--ort-lib</c>), <c>REALTIMESEG_ORT_LIB</c>, the bootstrap cache
/// (<c>.cache/onnxruntime/VERSION/</c> in the checkout the app was built from), then the app folder.
/// </summary>
public static unsafe class OrtLibrary
{
    /// <summary>The ORT release the bootstrap fetches and the binding was verified against.</summary>
    public const string PinnedVersion = "1.30.0";
    public const string EnvironmentVariable = "REALTIMESEG_ORT_LIB";

    private static readonly Lock Gate = new();
    private static nint _handle;

    /// <summary>Path of the loaded library, or null before the first load.</summary>
    public static string? LoadedPath { get; private set; }

    /// <summary>Version string the loaded library reports (e.g. "1.30.0").</summary>
    public static string Version { get; private set; } = "";

    public static string BuildInfo => Marshal.PtrToStringUTF8((nint)OrtApi.GetBuildInfoString()) ?? "";

    public static string FileName =>
        OperatingSystem.IsWindows() ? "onnxruntime.dll" :
        OperatingSystem.IsMacOS() ? "libonnxruntime.dylib" : "libonnxruntime.so.1";

    /// <summary>Loads the library (first call only; later calls must name the same library or none).</summary>
    public static void EnsureLoaded(string? explicitPath = null)
    {
        lock (Gate)
        {
            if (_handle != 0)
            {
                if (explicitPath is not null && LoadedPath is not null &&
                    Path.GetFullPath(explicitPath) != LoadedPath)
                {
                    throw new OrtException(
                        $"ONNX Runtime is already loaded from {LoadedPath}; one process can use only one library, so '{explicitPath}' cannot be loaded too");
                }
                return;
            }

            var candidates = CandidatePaths(explicitPath).ToList();
            string? path = candidates.Where(c => c.Exists).Select(c => c.Path).FirstOrDefault();
            if (path is null)
            {
                string tried = string.Join(", ", candidates.Select(c => c.Path));
                throw new OrtException(
                    $"ONNX Runtime library not found (looked in: {tried}); run ./scripts/bootstrap.sh to fetch it, or set {EnvironmentVariable} to a {FileName}");
            }

            nint handle;
            try
            {
                handle = NativeLibrary.Load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                throw new OrtException($"cannot load ONNX Runtime from {path}: {e.Message}");
            }

            if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out nint getApiBase))
            {
                NativeLibrary.Free(handle);
                throw new OrtException($"{path} is not an ONNX Runtime library (it has no OrtGetApiBase export)");
            }

            var apiBase = ((delegate* unmanaged[Cdecl]<nint*>)getApiBase)();
            var getApi = (delegate* unmanaged[Cdecl]<uint, nint>)apiBase[0];
            var getVersion = (delegate* unmanaged[Cdecl]<byte*>)apiBase[1];
            string version = Marshal.PtrToStringUTF8((nint)getVersion()) ?? "?";
            nint table = getApi(OrtApi.RequiredApiVersion);
            if (table == 0)
            {
                NativeLibrary.Free(handle);
                throw new OrtException(
                    $"ONNX Runtime {version} at {path} is too old: RealtimeSeg needs API version {OrtApi.RequiredApiVersion} (ONNX Runtime 1.{OrtApi.RequiredApiVersion} or newer)");
            }

            string[] parts = version.Split('.');
            int minor = parts.Length > 1 && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out int m) ? m : 0;
            OrtApi.Load(table, parts[0] == "1" ? minor : int.MaxValue);
            _handle = handle;
            LoadedPath = Path.GetFullPath(path);
            Version = version;
        }
    }

    private static IEnumerable<(string Path, bool Exists)> CandidatePaths(string? explicitPath)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            // An explicit choice is the only candidate: silently falling back to another library would hide a typo.
            yield return (explicitPath, File.Exists(explicitPath));
            yield break;
        }

        string? fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            yield return (fromEnv, File.Exists(fromEnv));
            yield break;
        }

        // The bootstrap cache lives in the checkout; the built app sits a few folders below it.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string cached = Path.Combine(dir.FullName, ".cache", "onnxruntime", PinnedVersion, FileName);
            if (File.Exists(cached))
            {
                yield return (cached, true);
                break;
            }
        }

        string inAppFolder = Path.Combine(AppContext.BaseDirectory, FileName);
        yield return (inAppFolder, File.Exists(inAppFolder));
    }
}
