using System.Diagnostics;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Tracking;

/// <summary>The pipeline's track ids on the moving synthetic scene, checked against its ground-truth object identities.</summary>
public sealed class PipelineTrackingTests : IDisposable
{
    private readonly Runtime.Model.SegmentationModel _model = Fixtures.Open(Fixtures.DemoModel);

    public void Dispose() => _model.Dispose();

    [Fact]
    public void EachObjectKeepsOneTrackIdAsTheSceneMoves()
    {
        using var input = new HostFrameInput();
        using var pipeline = new InferencePipeline(_model, input, new PipelineOptions { Lossless = true });
        pipeline.Start();
        var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Seed = 21 });
        using var rgb = Frame.Allocate(640, 480, PixelFormat.Rgb24);
        var truth = new InstanceSet(SyntheticShapesSource.ClassLabels);
        var previous = new Dictionary<int, int>(); // scene object id → track id in the last result
        int kept = 0, compared = 0;
        var tracksOfObjects = new Dictionary<int, HashSet<int>>();
        for (int f = 0; f < 45; f++)
        {
            scene.Render(rgb, truth);
            var objectIds = scene.TruthObjectIds.ToArray();
            // Capture times on the scene's own clock (30 fps), as a camera would stamp them.
            input.Publish(rgb.Pixels, 640, 480, rgb.Stride, PixelFormat.Rgb24, captureTimestamp: 1 + (long)(f / 30.0 * Stopwatch.Frequency));
            Assert.Equal(WaitOutcome.Item, pipeline.Results.Wait(TimeSpan.FromSeconds(30), out var result));
            using (result)
            {
                var found = result!.Instances;
                Assert.True(found.IsTracked);
                var now = new Dictionary<int, int>();
                for (int g = 0; g < truth.Count; g++)
                {
                    int best = -1;
                    float bestIou = 0.5f;
                    for (int d = 0; d < found.Count; d++)
                    {
                        float iou = BoxF.Iou(found.Boxes[d], truth.Boxes[g]);
                        if (found.ClassIds[d] == truth.ClassIds[g] && iou >= bestIou)
                        {
                            (best, bestIou) = (d, iou);
                        }
                    }
                    if (best >= 0)
                    {
                        now[objectIds[g]] = found.TrackIds[best];
                    }
                }
                foreach (var (obj, track) in now)
                {
                    if (previous.TryGetValue(obj, out int before))
                    {
                        compared++;
                        kept += before == track ? 1 : 0;
                    }
                    (tracksOfObjects.TryGetValue(obj, out var set) ? set : tracksOfObjects[obj] = []).Add(track);
                }
                previous = now;
            }
        }
        Assert.True(compared >= 80, $"only {compared} object-to-object comparisons");
        Assert.True(kept >= 0.95 * compared, $"an object kept its track id in {kept} of {compared} consecutive results");
        // Different objects are different tracks.
        var allTracks = tracksOfObjects.Values.SelectMany(t => t).ToList();
        Assert.Equal(allTracks.Count, allTracks.Distinct().Count());
        input.Complete();
    }
}
