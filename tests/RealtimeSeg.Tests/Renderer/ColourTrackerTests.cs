using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Renderer;

public sealed class ColourTrackerTests
{
    private static readonly LabelMap Labels = new(["background", "a", "b"], "test");

    private static InstanceSet Set(params (float X, int Class)[] items)
    {
        var set = new InstanceSet(Labels);
        set.Reset(640, 480, MaskKind.None);
        foreach (var (x, c) in items)
        {
            set.Add(new BoxF(x, 100, x + 60, 160), 0.9f, c);
        }
        return set;
    }

    private static int[] Assign(ColourTracker tracker, InstanceSet set)
    {
        var colours = new int[set.Count];
        tracker.Assign(set, ColourTracker.DefaultPalette, colours);
        return colours;
    }

    [Fact]
    public void InstancesKeepTheirColoursAsTheyMoveAndReorder()
    {
        var tracker = new ColourTracker();
        var first = Assign(tracker, Set((100, 1), (300, 1), (500, 2)));
        Assert.Equal(3, first.Distinct().Count());
        // Moved a little, listed in another order (scores changed): same colours.
        var second = Assign(tracker, Set((505, 2), (306, 1), (104, 1)));
        Assert.Equal([first[2], first[1], first[0]], second);
    }

    [Fact]
    public void OneMissedResultDoesNotReshuffleButAForgottenOneIsForgotten()
    {
        var tracker = new ColourTracker(timeToLive: 3);
        var first = Assign(tracker, Set((100, 1), (300, 1)));
        Assign(tracker, Set((300, 1)));                         // the first one missed once
        var back = Assign(tracker, Set((102, 1), (300, 1)));
        Assert.Equal(first, back);
        for (int i = 0; i < 4; i++)
        {
            Assign(tracker, Set((300, 1)));                      // gone for longer than its time to live
        }
        var returned = Assign(tracker, Set((100, 1), (300, 1)));
        Assert.Equal(first[1], returned[1]);
        Assert.NotEqual(first[0], returned[0]);                  // a new track, a new colour
    }

    [Fact]
    public void TheSamePlaceInAnotherClassIsAnotherInstance()
    {
        var tracker = new ColourTracker();
        var first = Assign(tracker, Set((100, 1)));
        var other = Assign(tracker, Set((100, 2)));
        Assert.NotEqual(first[0], other[0]);
    }
}
