using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Capture;

public sealed class SyntheticShapesSourceTests
{
    private static (SyntheticShapesSource Source, Frame Frame, InstanceSet Truth) Make(int w = 320, int h = 240, int seed = 5)
    {
        var source = new SyntheticShapesSource(new SyntheticSceneOptions { Width = w, Height = h, Seed = seed });
        return (source, Frame.Allocate(w, h, PixelFormat.Rgb24), new InstanceSet(SyntheticShapesSource.ClassLabels));
    }

    [Fact]
    public void TheSameSeedRendersTheSameFramesAndTruth()
    {
        var (a, fa, ta) = Make();
        var (b, fb, tb) = Make();
        var (c, fc, tc) = Make(seed: 6);
        for (int i = 0; i < 20; i++)
        {
            a.Render(fa, ta);
            b.Render(fb, tb);
            c.Render(fc, tc);
            Assert.True(fa.Pixels.SequenceEqual(fb.Pixels), $"frame {i} differs between two sources of one seed");
            Assert.Equal(ta.Boxes.ToArray(), tb.Boxes.ToArray());
            Assert.Equal(ta.ClassIds.ToArray(), tb.ClassIds.ToArray());
        }
        Assert.False(fa.Pixels.SequenceEqual(fc.Pixels));
        fa.Dispose(); fb.Dispose(); fc.Dispose();
    }

    [Fact]
    public void TruthMasksAreDisjointTightAndMatchWhatWasDrawn()
    {
        var (source, frame, truth) = Make(seed: 11);
        using var background = Frame.Allocate(320, 240, PixelFormat.Rgb24);
        source.DrawBackground(background);
        for (int i = 0; i < 10; i++)
        {
            source.Render(frame, truth);
            Assert.True(truth.Count > 0);
            var owner = new int[320 * 240];
            for (int k = 0; k < truth.Count; k++)
            {
                var mask = truth.Mask(k);
                int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
                for (int y = mask.Bounds.Y0; y < mask.Bounds.Y1; y++)
                {
                    for (int x = mask.Bounds.X0; x < mask.Bounds.X1; x++)
                    {
                        if (!mask[x, y])
                        {
                            continue;
                        }
                        Assert.True(owner[y * 320 + x] == 0, $"pixel ({x},{y}) belongs to two instances");
                        owner[y * 320 + x] = k + 1;
                        (minX, minY, maxX, maxY) = (Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x), Math.Max(maxY, y));
                    }
                }
                Assert.Equal(new BoxF(minX, minY, maxX + 1, maxY + 1), truth.Boxes[k]);
            }
            // Outside every mask the picture is the background plus at most ±4 of sensor noise; inside, a shape.
            int insideDiffering = 0, inside = 0;
            for (int y = 0; y < 240; y++)
            {
                for (int x = 0; x < 320; x++)
                {
                    int diff = 0;
                    for (int c = 0; c < 3; c++)
                    {
                        diff = Math.Max(diff, Math.Abs(frame.Row(y)[3 * x + c] - background.Row(y)[3 * x + c]));
                    }
                    if (owner[y * 320 + x] == 0)
                    {
                        Assert.True(diff <= 4, $"pixel ({x},{y}) outside every mask differs from the background by {diff}");
                    }
                    else
                    {
                        inside++;
                        insideDiffering += diff > 4 ? 1 : 0;
                    }
                }
            }
            Assert.True(insideDiffering > 0.9 * inside, $"only {insideDiffering} of {inside} mask pixels show a shape");
        }
        frame.Dispose();
    }

    [Fact]
    public void OverAClipShapesMoveSmoothlyEnterLeaveOverlapAndEveryClassAppears()
    {
        var (source, frame, truth) = Make(seed: 3);
        var classes = new HashSet<int>();
        var ids = new HashSet<int>();
        var last = new Dictionary<int, BoxF>();
        int overlaps = 0;
        for (int i = 0; i < 900; i++)
        {
            source.Render(frame, truth);
            for (int k = 0; k < truth.Count; k++)
            {
                int id = source.TruthObjectIds[k];
                classes.Add(truth.ClassIds[k]);
                ids.Add(id);
                var b = truth.Boxes[k];
                // A box of the same size as last frame's is the same unoccluded view of the shape: it may
                // only have moved a few pixels (occlusion and rotation change the size, and are skipped).
                if (last.TryGetValue(id, out var p) && Math.Abs(b.Width - p.Width) <= 1 && Math.Abs(b.Height - p.Height) <= 1)
                {
                    float step = MathF.Max(MathF.Abs(b.X1 - p.X1), MathF.Abs(b.Y1 - p.Y1));
                    Assert.True(step < 6, $"object {id} jumped {step} px between frames");
                }
                last[id] = b;
                for (int j = 0; j < k; j++)
                {
                    overlaps += BoxF.Iou(truth.Boxes[j], b) > 0 ? 1 : 0;
                }
            }
        }
        Assert.Equal([1, 2, 3, 4, 5], classes.Order());
        Assert.True(ids.Count > 10, $"only {ids.Count} objects over 30 s: shapes must leave and new ones enter");
        Assert.True(overlaps > 50, "shapes must overlap and occlude one another");
        frame.Dispose();
    }

    [Fact]
    public void TheSceneIsTheSameAtAnyResolution()
    {
        var (small, fs, ts) = Make(320, 240, seed: 8);
        var (large, fl, tl) = Make(640, 480, seed: 8);
        small.Skip(40);
        large.Skip(40);
        small.Render(fs, ts);
        large.Render(fl, tl);
        Assert.Equal(ts.ClassIds.ToArray(), tl.ClassIds.ToArray());
        int compared = 0;
        for (int k = 0; k < ts.Count; k++)
        {
            // Slivers at an edge differ by a pixel of rounding; compare shapes of a real size.
            if (ts.Boxes[k].Width < 20 || ts.Boxes[k].Height < 20)
            {
                continue;
            }
            var expected = ts.Boxes[k].Scale(2, 2);
            Assert.True(BoxF.Iou(expected, tl.Boxes[k]) > 0.9f, $"{expected} vs {tl.Boxes[k]}");
            compared++;
        }
        Assert.True(compared >= 2);
        fs.Dispose(); fl.Dispose();
    }
}
