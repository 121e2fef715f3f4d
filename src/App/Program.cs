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
            ProbeCommand.Create(),
            SegmentCommand.Create(),
            BenchDecodeCommand.Create(),
            BenchRenderCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
