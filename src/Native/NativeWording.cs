namespace RealtimeSeg.Native;

/// <summary>
/// The library's messages name its C# API (a C# host reads them); through the C ABI the same advice names the
/// header's fields, functions and environment instead, as the CLI's wording names its flags.
/// </summary>
internal static class NativeWording
{
    private static readonly (string Api, string C)[] Terms =
    [
        ("(ExecutionProvider.Cpu)", "(rts_session_options.provider = \"cpu\")"),
        ("(InferenceOptions.OrtLibraryPath)", "(REALTIMESEG_ORT_LIB)"),
        ("build the GPU flavour (dotnet build -p:OrtFlavor=gpu, or REALTIMESEG_FLAVOR=gpu ./realtimeseg …)",
            "put the GPU build of ONNX Runtime (NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux or .Gpu.Windows) beside librealtimeseg or name it in REALTIMESEG_ORT_LIB"),
        ("give SegmentationModel.Open the path of an .onnx file", "pass rts_session_create the path of an .onnx file"),
        (", e.g. an OffscreenTarget,", ""),
        ("make the host's context current before creating the overlay", "make the host's context current before rts_overlay_create"),
        ("make the overlay's context current before drawing", "make the overlay's context current before rts_overlay_draw"),
    ];

    public static string ForC(string message)
    {
        foreach (var (api, c) in Terms)
        {
            message = message.Replace(api, c, StringComparison.Ordinal);
        }
        return message;
    }
}
