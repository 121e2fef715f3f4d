using System.Text.Json;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Cli;

/// <summary><c>realtimeseg segment</c> and <c>realtimeseg probe</c> as a user runs them, images decoded by the real FFmpeg.</summary>
public sealed class SegmentAndProbeCommandTests
{
    /// <summary>Writes synthetic scene frames as PNGs and returns their ground truth.</summary>
    internal static List<InstanceSet> WriteScenes(string dir, int count)
    {
        var truths = new List<InstanceSet>();
        using var frame = Frame.Allocate(640, 480, PixelFormat.Rgb24);
        for (int i = 0; i < count; i++)
        {
            var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Seed = 900 + i });
            scene.Skip(40);
            var truth = new InstanceSet(SyntheticShapesSource.ClassLabels);
            scene.Render(frame, truth);
            Png.Write(Path.Combine(dir, $"scene{i}.png"), frame);
            truths.Add(truth);
        }
        return truths;
    }

    [Fact]
    public void SegmentJsonFindsTheGroundTruthInstances()
    {
        using var dir = Fixtures.TempDir();
        var truths = WriteScenes(dir.Path, 4);
        var r = CliRunner.Run(["segment", "--model", Fixtures.DemoModel, "--input", dir.Path, "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var images = doc.RootElement.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(4, images.Count);
        int expected = 0, found = 0;
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            Assert.EndsWith($"scene{i}.png", image.GetProperty("file").GetString(), StringComparison.Ordinal);
            Assert.Equal((640, 480), (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()));
            var predicted = image.GetProperty("instances").EnumerateArray().Select(p =>
            {
                var box = p.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                Assert.True(box[0] >= 0 && box[1] >= 0 && box[2] <= 640 && box[3] <= 480 && box[0] < box[2] && box[1] < box[3], $"box {string.Join(',', box)}");
                int label = p.GetProperty("label").GetInt32();
                Assert.Equal(SyntheticShapesSource.ClassLabels.Name(label), p.GetProperty("class").GetString());
                var mask = new MaskBitmap();
                var rle = p.GetProperty("mask");
                Assert.Equal([480, 640], rle.GetProperty("size").EnumerateArray().Select(v => v.GetInt32()));
                MaskRle.Decode(rle.GetProperty("counts").EnumerateArray().Select(v => v.GetInt32()).ToList(), 640, 480, mask);
                Assert.Equal(p.GetProperty("area").GetInt32(), mask.PixelCount);
                return (label, mask);
            }).ToList();
            var truth = truths[i];
            var used = new bool[predicted.Count];
            for (int g = 0; g < truth.Count; g++)
            {
                var gt = truth.Mask(g);
                if (gt.PixelCount < 0.0015 * 640 * 480)
                {
                    continue;
                }
                expected++;
                int match = Enumerable.Range(0, predicted.Count).FirstOrDefault(
                    p => !used[p] && predicted[p].label == truth.ClassIds[g] && MaskBitmap.Iou(predicted[p].mask, gt) >= 0.5, -1);
                if (match >= 0)
                {
                    used[match] = true;
                    found++;
                }
            }
        }
        Assert.True(expected >= 12, $"only {expected} ground-truth instances");
        Assert.True(found >= 0.9 * expected, $"segment --json found {found} of {expected} ground-truth instances at mask IoU 0.5");
    }

    [Theory]
    [InlineData("missing.png", "'missing.png' does not exist")]
    [InlineData("clip.mp4", "segment takes still images")]
    [InlineData("nothing/*.png", "the folder 'nothing' does not exist")]
    public void SegmentBadInputIsOneLine(string input, string message)
    {
        var r = CliRunner.Run(["segment", "-m", Fixtures.DemoModel, "-i", input]);
        Assert.Contains(message, CliRunner.AssertOneLineError(r), StringComparison.Ordinal);
    }

    [Fact]
    public void SegmentIntoAnUnwritableFolderFailsBeforeWritingAnything()
    {
        using var dir = Fixtures.TempDir();
        File.WriteAllText(dir.File("a-file"), "");
        var r = CliRunner.Run(["segment", "-m", Fixtures.DemoModel, "-i", Path.Combine(Fixtures.DemoDir, "images", "val", "000001.png"), "--out", dir.File("a-file/out")]);
        Assert.Contains("cannot write to --out folder", CliRunner.AssertOneLineError(r), StringComparison.Ordinal);
        Assert.Equal([dir.File("a-file")], Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void WithoutFfmpegOnPathTheCliSaysHowToInstallIt()
    {
        var r = CliRunner.Run(["probe", "--source", "clip.mp4"], new Dictionary<string, string> { ["PATH"] = "/nonexistent" });
        Assert.Contains("FFmpeg is not installed", CliRunner.AssertOneLineError(r), StringComparison.Ordinal);
    }

    [Fact]
    public void ProbeReportsWhatALiveSourceReallyDelivers()
    {
        var r = CliRunner.Run(["probe", "--source", "lavfi:testsrc2=size=320x240:rate=30", "--seconds", "1.5", "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal("live", root.GetProperty("pacing").GetString());
        Assert.Equal(320, root.GetProperty("frame.width").GetInt32());
        Assert.Equal(30, root.GetProperty("stream.fps").GetDouble());
        Assert.True(root.GetProperty("frames").GetInt32() > 10);
        Assert.InRange(root.GetProperty("measuredFps").GetDouble(), 15, 60);
    }

    [Fact]
    public void ProbeOfAFolderCountsItsImages()
    {
        var r = CliRunner.Run(["probe", "--source", Path.Combine(Fixtures.DemoDir, "images", "val")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("320x240, fps unknown, 4 frames, png", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("captured   4 frames", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ProbeOfAMissingCameraListsCameras()
    {
        var r = CliRunner.Run(["probe", "--source", "camera:/dev/video98"]);
        Assert.Contains("camera '/dev/video98' does not exist", CliRunner.AssertOneLineError(r), StringComparison.Ordinal);
    }
}
