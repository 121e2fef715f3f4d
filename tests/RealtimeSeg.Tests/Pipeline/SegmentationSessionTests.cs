using System.Diagnostics;
using RealtimeSeg.Capture;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.Tests.Pipeline;

/// <summary>The one-object wiring (source or host frames → pipeline → newest result) that view, record and bench-render share.</summary>
public sealed class SegmentationSessionTests : IDisposable
{
    private readonly Runtime.Model.SegmentationModel _model = Fixtures.Open(Fixtures.DemoModel);

    public void Dispose() => _model.Dispose();

    [Fact]
    public void ASourceSessionDeliversNewestResultsAndStopsPromptly()
    {
        using var session = SegmentationSession.FromSource(_model, SourceSpec.Parse("synthetic:3"));
        session.Start();
        Assert.True(SpinWait.SpinUntil(() => session.Pipeline.LatestSequence >= 2, 30_000), "no results from the synthetic scene");
        Assert.True(session.TryGetLatest(out var result));
        using (result)
        {
            Assert.True(result.Instances.Count > 0);
        }
        Assert.NotNull(session.Capture);
        Assert.True(session.Capture.Value.Captured > 0);
        var clock = Stopwatch.StartNew();
        session.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"stop took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Null(session.Fault);
        Assert.Null(session.HostFrames);
    }

    [Fact]
    public void AHostSessionTakesTheHostsPixels()
    {
        using var session = SegmentationSession.FromHostFrames(_model, new PipelineOptions { Lossless = true });
        session.Start();
        var pixels = new byte[64 * 48 * 4];
        session.HostFrames!.Publish(pixels, 64, 48, 64 * 4, PixelFormat.Rgba32);
        Assert.Equal(WaitOutcome.Item, session.Pipeline.Results.Wait(TimeSpan.FromSeconds(30), out var result));
        using (result)
        {
            Assert.Equal(1, result!.Frame.Id);
        }
        session.Stop();
        Assert.Null(session.Capture);
    }

    [Fact]
    public void WaitingForAPushedFramesResultGivesThatFramesResultOrTimesOut()
    {
        using var session = SegmentationSession.FromHostFrames(_model);
        session.Start();
        var pixels = new byte[64 * 48 * 4];
        long id = session.HostFrames!.Publish(pixels, 64, 48, 64 * 4, PixelFormat.Rgba32);
        Assert.True(session.TryWaitForResult(id, TimeSpan.FromSeconds(30), out var result));
        using (result)
        {
            Assert.Equal(id, result.Frame.Id);
        }
        Assert.False(session.TryWaitForResult(id + 5, TimeSpan.FromMilliseconds(200), out var none)); // never pushed
        Assert.Null(none);
        session.Stop();
    }

    [Fact]
    public void AResultDisposedOnceTooOftenLeavesThePipelinesOwnReference()
    {
        using var session = SegmentationSession.FromHostFrames(_model);
        session.Start();
        var pixels = new byte[64 * 48 * 4];
        long first = session.HostFrames!.Publish(pixels, 64, 48, 64 * 4, PixelFormat.Rgba32);
        Assert.True(session.TryWaitForResult(first, TimeSpan.FromSeconds(30), out var result));
        result.Dispose();
        result.Dispose(); // the host's mistake: once too many
        result.Dispose();

        // The pipeline's newest result is still whole, for every later reader.
        Assert.True(session.TryGetLatest(out var again));
        using (again)
        {
            Assert.Equal(first, again.Frame.Id);
            Assert.True(again.References >= 2, $"{again.References} references: the pipeline's own was taken");
            Assert.Equal(64, again.Frame.Width);
        }
        Assert.True(session.TryWaitForResult(first, TimeSpan.FromSeconds(30), out var waited));
        waited.Dispose();
        long second = session.HostFrames.Publish(pixels, 64, 48, 64 * 4, PixelFormat.Rgba32);
        Assert.True(session.TryWaitForResult(second, TimeSpan.FromSeconds(30), out var next));
        using (next)
        {
            Assert.Equal(second, next.Frame.Id);
        }
        session.Dispose();
        Assert.Equal(0, session.Pipeline.OutstandingResults); // and nothing leaked: each result went back once
    }

    [Fact]
    public void DisposingTheSessionWakesAThreadWaitingForAResult()
    {
        var session = SegmentationSession.FromHostFrames(_model);
        session.Start();
        Exception? woken = null;
        var clock = Stopwatch.StartNew();
        TimeSpan waited = default;
        var waiter = new Thread(() =>
        {
            woken = Record.Exception(() => session.TryWaitForResult(1000, TimeSpan.FromSeconds(60), out _)); // never pushed
            waited = clock.Elapsed;
        });
        waiter.Start();
        Thread.Sleep(300);
        session.Dispose();
        Assert.True(waiter.Join(TimeSpan.FromSeconds(10)), "the waiter was not woken by Dispose");
        Assert.True(waited < TimeSpan.FromSeconds(5), $"the waiter took {waited.TotalSeconds:0.0} s to wake");
        var e = Assert.IsType<ObjectDisposedException>(woken);
        Assert.Contains("disposed while waiting for the result of frame 1000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WaitingOnAStoppedSessionAnswersAtOnce()
    {
        using var session = SegmentationSession.FromHostFrames(_model);
        session.Start();
        session.Stop();
        var clock = Stopwatch.StartNew();
        Assert.False(session.TryWaitForResult(1000, TimeSpan.FromSeconds(30), out var none));
        Assert.Null(none);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"a wait on a stopped session took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void ASourceThatFailsIsTheSessionsFaultInTheSourcesTerms()
    {
        using var dir = Fixtures.TempDir();
        string empty = dir.File("empty.mp4");
        File.WriteAllBytes(empty, []);
        using var session = SegmentationSession.FromSource(_model, SourceSpec.Parse(empty));
        session.Start();
        Assert.True(SpinWait.SpinUntil(() => session.Fault is not null, 30_000));
        Assert.Contains("is empty (0 bytes)", session.Fault!.Message, StringComparison.Ordinal);
        session.Stop();
    }
}
