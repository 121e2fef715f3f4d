using System.CommandLine;
using System.Globalization;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;

namespace RealtimeSeg.App.Commands;

/// <summary><c>realtimeseg info</c>: what a model is and how it will run here.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var args = new ModelArguments();
        var command = new Command("info", "Show a model's contract, inputs and outputs, classes, the ONNX Runtime version and the execution provider chosen");
        args.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var model = args.Open(parse, warmUp: false);
            Console.Out.Write(Describe(model));
            return 0;
        }));
        return command;
    }

    public static string Describe(SegmentationModel model)
    {
        var s = model.Session;
        var w = new StringWriter(CultureInfo.InvariantCulture);
        long bytes = new FileInfo(model.Path).Length;
        w.WriteLine($"model        {model.Path} ({bytes / 1024.0 / 1024.0:0.0} MB, producer {Or(s.ProducerName, "unknown")})");
        w.WriteLine($"contract     {ModelLayout.Name(model.Layout.Contract)}: {ContractSummary(model.Layout)}");
        w.WriteLine($"input size   short side {model.Size.ShortSide}, long side at most {model.Size.MaxSide}{(model.Layout.PadMultiple > 1 ? $", padded to a multiple of {model.Layout.PadMultiple}" : "")}");
        foreach (var input in s.Inputs)
        {
            w.WriteLine($"input        {input}");
        }
        foreach (var output in s.Outputs)
        {
            w.WriteLine($"output       {output}");
        }
        string classes = model.Labels.Count == 0
            ? "no names (no labels file beside the model and none in its metadata): shown as 'class N'"
            : $"{model.Labels.Count - 1} + background: {string.Join(", ", model.Labels.Names.Skip(1))} (from {model.Labels.Source})";
        w.WriteLine($"classes      {classes}");
        w.WriteLine($"onnxruntime  {OrtLibrary.Description}");
        w.WriteLine($"flavour      {OrtLibrary.Flavor}{(OrtLibrary.Flavor == "gpu" ? $" (needs {GpuRequirements.Summary})" : " (build with -p:OrtFlavor=gpu for CUDA and TensorRT)")}");
        w.WriteLine($"compiled in  {string.Join(", ", ExecutionProviders.Available())}");
        foreach (var attempt in s.ProviderAttempts.Where(a => a.Failure is not null))
        {
            w.WriteLine($"not usable   {ExecutionProviders.CliName(attempt.Provider)}: {CliWording.ForCommandLine(OneLine(attempt.Failure!))}");
        }
        w.WriteLine($"provider     {ExecutionProviders.CliName(s.Provider)} (running)");
        if (s.NodePlacement is { } placement)
        {
            int total = placement.Values.Sum();
            int onCpu = placement.GetValueOrDefault(ExecutionProviders.OrtName(ExecutionProvider.Cpu));
            string detail = string.Join(", ", placement.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"));
            w.WriteLine(s.Provider == ExecutionProvider.Cpu
                ? $"graph nodes  {total} ({detail})"
                : $"graph nodes  {total}, {onCpu} fell back to the CPU ({detail})");
        }
        return w.ToString();
    }

    private static string ContractSummary(ModelLayout layout) => layout.Contract switch
    {
        ModelContract.Torchvision => "RGB in [0,1]; masks pasted by the model at input resolution",
        ModelContract.TorchvisionRaw => $"RGB in [0,1]; raw {layout.RawMaskSize}x{layout.RawMaskSize} masks per box, pasted by RealtimeSeg",
        ModelContract.Zoo => $"BGR 0-255 minus mean; raw {layout.RawMaskSize}x{layout.RawMaskSize} masks per box",
        _ => $"{(layout.Encoding == InputEncoding.Rgb01 ? "RGB in [0,1]" : "BGR 0-255 minus mean")}; boxes only, no masks",
    };

    private static string Or(string value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;

    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
