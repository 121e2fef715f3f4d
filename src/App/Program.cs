using System.CommandLine;
using RealtimeSeg.App.Commands;

namespace RealtimeSeg.App;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("RealtimeSeg: real-time Mask R-CNN instance segmentation on ONNX Runtime.")
        {
            DemoCommand.Create(),
            ViewCommand.Create(),
            RecordCommand.Create(),
            InfoCommand.Create(),
            BenchCommand.Create(),
            SynthDatasetCommand.Create(),
            EvaluateCommand.Create(),
            TrainCommand.Create(),
            ProbeCommand.Create(),
            SegmentCommand.Create(),
            BenchDecodeCommand.Create(),
            BenchRenderCommand.Create(),
            BenchLiveCommand.Create(),
            BenchHostCommand.Create(),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine(UsageErrors.Describe(parse));
            return CommandRunner.UserError;
        }
        return parse.Invoke();
    }
}
