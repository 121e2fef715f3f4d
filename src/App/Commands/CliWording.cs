namespace RealtimeSeg.App.Commands;

/// <summary>
/// The library's messages name its API (a host reads them); on the command line the same advice names the flags.
/// </summary>
internal static class CliWording
{
    private static readonly (string Api, string Cli)[] Terms =
    [
        ("give SegmentationModel.Open the path of an .onnx file", "pass --model with the path of an .onnx file"),
        ("ModelOptions.Size must be positive and not above ModelOptions.MaxSize", "--size must be positive and not above the max side"),
        ("(ExecutionProvider.Cpu)", "(--provider cpu)"),
        ("(InferenceOptions.OrtLibraryPath)", "(--ort-lib)"),
    ];

    public static string ForCommandLine(string message)
    {
        foreach (var (api, cli) in Terms)
        {
            message = message.Replace(api, cli, StringComparison.Ordinal);
        }
        return message;
    }
}
