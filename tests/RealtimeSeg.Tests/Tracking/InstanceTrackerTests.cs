using RealtimeSeg.Runtime.Structures;
using RealtimeSeg.Runtime.Tracking;

namespace RealtimeSeg.Tests.Tracking;

/// <summary>Track ids through motion, crossing, missed results and re-entry (SORT-style: Kalman + optimal assignment).</summary>
public sealed class InstanceTrackerTests
{
    private static readonly LabelMap Labels = new(["background", "a", "b"], "test");

    private static InstanceSet Set(params (float X, float Y, int Class)[] objects) =>
        InstanceSet.FromDetections(640, 480, Labels, objects.Select(o => new BoxF(o.X, o.Y, o.X + 40, o.Y + 40)).ToArray(),
            objects.Select(_ => 0.9f).ToArray(), objects.Select(o => o.Class).ToArray());

    private static int[] Ids(InstanceTracker tracker, InstanceSet set, double time)
    {
        var ids = new int[set.Count];
        tracker.Update(set, time, ids);
        return ids;
    }

    [Fact]
    public void AnObjectMovingInAStraightLineKeepsItsIdAndIsPredictedAlongTheLine()
    {
        var tracker = new InstanceTracker();
        int id = Ids(tracker, Set((10, 100, 1)), 0)[0];
        for (int i = 1; i <= 20; i++)
        {
            // 150 px/s to the right, results 0.1 s apart: 15 px a result, more than half a box width per two.
            Assert.Equal(id, Ids(tracker, Set((10 + 15 * i, 100, 1)), i * 0.1)[0]);
        }
        Assert.True(tracker.TryPredict(id, 2.5, out var ahead));
        Assert.InRange((ahead.X1 + ahead.X2) / 2, 10 + 150 * 2.5 + 20 - 6, 10 + 150 * 2.5 + 20 + 6); // on the line, 0.5 s on
        Assert.InRange((ahead.Y1 + ahead.Y2) / 2, 114, 126);
    }

    [Fact]
    public void TwoObjectsCrossingKeepTheirIds()
    {
        var tracker = new InstanceTracker();
        var start = Ids(tracker, Set((100, 200, 1), (400, 200, 1)), 0);
        int[] last = start;
        for (int i = 1; i <= 12; i++)
        {
            // Same class, heading for each other at 250 px/s each, overlapping half-way (the detector lists them in either order).
            var moved = Set((400 - 25 * i, 204, 1), (100 + 25 * i, 196, 1)); // listed swapped
            last = Ids(tracker, moved, i * 0.1);
        }
        Assert.Equal(start[0], last[1]); // the one from the left is now on the right, listed second
        Assert.Equal(start[1], last[0]);
    }

    [Fact]
    public void AMissedResultKeepsTheIdAndALongAbsenceGivesANewOne()
    {
        var tracker = new InstanceTracker(new TrackerOptions { MaxUnseenSeconds = 0.5 });
        int id = Ids(tracker, Set((100, 100, 1)), 0)[0];
        Ids(tracker, Set((110, 100, 1)), 0.1);
        Ids(tracker, Set(), 0.2);                                    // missed twice
        Ids(tracker, Set(), 0.3);
        Assert.Equal(id, Ids(tracker, Set((140, 100, 1)), 0.4)[0]); // back where it was heading
        Ids(tracker, Set(), 0.5);
        Ids(tracker, Set(), 1.5);                                    // gone a second: the track ends
        Assert.Equal(0, tracker.Count);
        Assert.NotEqual(id, Ids(tracker, Set((150, 100, 1)), 1.6)[0]); // re-entry is a new object
    }

    [Fact]
    public void NewObjectsGetNewIdsAndClassesNeverShareATrack()
    {
        var tracker = new InstanceTracker();
        var first = Ids(tracker, Set((100, 100, 1)), 0);
        var second = Ids(tracker, Set((100, 100, 2), (300, 300, 1)), 0.1); // same place, other class; and a newcomer
        Assert.NotEqual(first[0], second[0]);
        Assert.NotEqual(first[0], second[1]);
        Assert.Equal(3, second.Concat(first).Distinct().Count());
    }

    [Fact]
    public void UpdatingAllocatesNothingOnceWarm()
    {
        var tracker = new InstanceTracker();
        var sets = Enumerable.Range(0, 8).Select(i => Set((10 + 5 * i, 10, 1), (200, 10 + 5 * i, 2), (400 - 5 * i, 300, 1))).ToArray();
        var ids = new int[3];
        // The cycle jumps back every 8 results, so tracks are born and expire all along: warm up past the
        // half-second lifetime until the buffers have their size.
        for (int i = 0; i < 200; i++)
        {
            tracker.Update(sets[i % 8], i * 0.03, ids);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 200; i < 1000; i++)
        {
            tracker.Update(sets[i % 8], i * 0.03, ids);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MaskSmoothingBlendsATracksRawMaskWithItsHistoryAndLeavesNewTracksAlone()
    {
        InstanceSet Raw(float x, float value)
        {
            var set = new InstanceSet(Labels);
            set.Reset(640, 480, MaskKind.Raw, rawMaskSize: 4);
            set.WritableRawMask(set.Add(new BoxF(x, 100, x + 40, 140), 0.9f, 1)).Fill(value);
            return set;
        }
        var tracker = new InstanceTracker(new TrackerOptions { MaskSmoothing = 0.25f });
        var ids = new int[1];
        var first = Raw(100, 0.8f);
        tracker.Update(first, 0, ids);
        Assert.All(first.RawMask(0).ToArray(), v => Assert.Equal(0.8f, v)); // a new track's first mask is untouched
        var second = Raw(104, 0.4f);
        tracker.Update(second, 0.1, ids);
        Assert.All(second.RawMask(0).ToArray(), v => Assert.Equal(0.25f * 0.8f + 0.75f * 0.4f, v, 5));
        var third = Raw(108, 0.4f);
        tracker.Update(third, 0.2, ids);
        Assert.All(third.RawMask(0).ToArray(), v => Assert.Equal(0.25f * 0.5f + 0.75f * 0.4f, v, 5)); // history is the smoothed mask
        var off = new InstanceTracker();
        var untouched = Raw(100, 0.4f);
        off.Update(Raw(100, 0.8f), 0, ids);
        off.Update(untouched, 0.1, ids);
        Assert.All(untouched.RawMask(0).ToArray(), v => Assert.Equal(0.4f, v)); // off by default
        Assert.Throws<ArgumentException>(() => new InstanceTracker(new TrackerOptions { MaskSmoothing = 1 }).Update(Raw(0, 1), 0, ids));
    }
}
