using System.Diagnostics;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;
using Xunit.Abstractions;

namespace RealtimeSeg.Tests.Pipeline;

/// <summary>Several streams (host-frame sessions) through one loaded model: each its own results and tracks, fair turns at the model.</summary>
public sealed class SharedModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly Runtime.Model.SegmentationModel _model = Fixtures.Open(Fixtures.DemoModel);

    public void Dispose() => _model.Dispose();

    /// <summary>A stream's camera: its own synthetic scene, published as fast as the host can until stopped.</summary>
    private sealed class Camera : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;

        public Camera(SegmentationSession session, int seed)
        {
            var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Width = 320, Height = 240, Seed = seed });
            var frames = Enumerable.Range(0, 8).Select(_ =>
            {
                var frame = Frame.Allocate(320, 240, PixelFormat.Rgb24);
                scene.Render(frame, new InstanceSet(SyntheticShapesSource.ClassLabels));
                scene.Skip(2);
                return frame;
            }).ToList();
            _thread = new Thread(() =>
            {
                for (int i = 0; !_stop; i++)
                {
                    var f = frames[i % frames.Count];
                    session.HostFrames!.Publish(f.Pixels, f.Width, f.Height, f.Stride, f.Format);
                    Thread.Sleep(2);
                }
                frames.ForEach(f => f.Dispose());
            }) { IsBackground = true };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }

    [Fact]
    public void FourStreamsGetTheirOwnResultsInFairTurns()
    {
        var sessions = Enumerable.Range(0, 4).Select(_ => SegmentationSession.FromHostFrames(_model)).ToList();
        sessions.ForEach(s => s.Start());
        // Equal streams (the same scene, so the same work outside the model per frame): equal turns must show as
        // equal result counts. Unequal streams get equal turns but may differ in what they do between them.
        var cameras = sessions.Select(s => new Camera(s, 20)).ToList();
        try
        {
            long runsBefore = _model.RunGate.Runs;
            var start = sessions.Select(s => s.Pipeline.Stats.ResultsOut).ToArray(); // from here on all four are running
            Thread.Sleep(8000);
            var results = sessions.Select((s, i) => s.Pipeline.Stats.ResultsOut - start[i]).ToArray();
            output.WriteLine($"results per stream in 8 s: {string.Join(", ", results)}; runs at the model's gate {_model.RunGate.Runs - runsBefore}");
            Assert.All(results, r => Assert.True(r >= 5, $"a stream got {r} results: {string.Join(", ", results)}"));
            double fairness = (double)results.Min() / results.Max();
            // Turns are FIFO (the gate's own test); what is left is the OS's scheduling of four workers and four
            // cameras on two cores, which in a slow phase of this shared machine gave 0.89. bench-host --streams
            // measures the figure itself (0.97); this bound catches a stream being starved.
            Assert.True(fairness >= 0.8, $"results per stream {string.Join(", ", results)}: min/max {fairness:0.00}, below 0.8");

            // Track ids are each stream's own: every stream's tracker starts at 1.
            foreach (var session in sessions)
            {
                Assert.True(session.TryGetLatest(out var latest));
                using (latest)
                {
                    Assert.True(latest.Instances.Count > 0);
                    Assert.True(latest.Instances.IsTracked);
                    Assert.InRange(latest.Instances.TrackIds.ToArray().Min(), 1, 10);
                }
            }

            // One stream gone (its host disposes it): the others go on, and take its turns.
            cameras[0].Dispose();
            sessions[0].Dispose();
            var before = sessions.Skip(1).Select(s => s.Pipeline.Stats.ResultsOut).ToArray();
            Thread.Sleep(1500);
            var after = sessions.Skip(1).Select(s => s.Pipeline.Stats.ResultsOut).ToArray();
            Assert.All(before.Zip(after), p => Assert.True(p.Second > p.First, $"a stream stopped when another was disposed: {string.Join(", ", before)} -> {string.Join(", ", after)}"));
        }
        finally
        {
            cameras.ForEach(c => c.Dispose());
            sessions.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void TheGateAdmitsItsCapacityInArrivalOrderAndPassesOnAbandonedPlaces()
    {
        var gate = new Runtime.Pipeline.RunGate(2);
        Assert.True(gate.Enter(() => false));
        Assert.True(gate.Enter(() => false)); // two in flight
        var order = new System.Collections.Concurrent.ConcurrentQueue<int>();
        bool giveUp = false;
        var threads = new List<Thread>();
        for (int i = 0; i < 3; i++)
        {
            int id = i;
            var t = new Thread(() =>
            {
                if (gate.Enter(() => id == 1 && Volatile.Read(ref giveUp)))
                {
                    order.Enqueue(id);
                    gate.Leave();
                }
                else
                {
                    order.Enqueue(-id);
                }
            });
            t.Start();
            threads.Add(t);
            Thread.Sleep(100); // tickets 2, 3, 4 taken in this order
        }
        Assert.Empty(order); // the gate is full
        Volatile.Write(ref giveUp, true); // the second waiter's pipeline stops
        Assert.True(SpinWait.SpinUntil(() => order.Contains(-1), 5000));
        gate.Leave(); // one place frees: the first waiter, then the third (the second's place passed on)
        threads.ForEach(t => t.Join(5000));
        Assert.Equal([-1, 0, 2], order.ToArray());
        Assert.Equal(4, gate.Runs);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Runtime.Pipeline.RunGate(0));
    }

    [Fact]
    public void AStreamWithoutFramesNeverHoldsTheOthersUp()
    {
        var busy = SegmentationSession.FromHostFrames(_model);
        var idle = SegmentationSession.FromHostFrames(_model); // its camera never delivers
        busy.Start();
        idle.Start();
        var camera = new Camera(busy, 31);
        try
        {
            Assert.True(SpinWait.SpinUntil(() => busy.Pipeline.Stats.ResultsOut >= 10, 30_000), "the busy stream got too few results");
            Assert.Equal(0, idle.Pipeline.Stats.ResultsOut);
            var clock = Stopwatch.StartNew();
            idle.Dispose(); // a stream that never ran leaves at once, its place at the gate never taken
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"disposing the idle stream took {clock.Elapsed.TotalSeconds:0.0} s");
            long now = busy.Pipeline.Stats.ResultsOut;
            Assert.True(SpinWait.SpinUntil(() => busy.Pipeline.Stats.ResultsOut > now + 3, 30_000), "the busy stream stopped");
        }
        finally
        {
            camera.Dispose(); // before its session: a publish to a disposed session throws on the camera's thread
            busy.Dispose();
            idle.Dispose();
        }
    }
}
