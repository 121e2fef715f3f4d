using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Ffmpeg;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Tests.Capture;

/// <summary>The capture loop over real FFmpeg processes: files, images, lavfi, TCP streams.</summary>
public sealed class CaptureLoopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Takes every frame until the end, optionally dawdling, and returns their ids, sizes and hashes.</summary>
    private static List<(long Id, int W, int H, string Hash)> Drain(CaptureLoop loop, int dawdleMs = 0, int max = int.MaxValue)
    {
        var seen = new List<(long, int, int, string)>();
        var clock = Stopwatch.StartNew();
        while (seen.Count < max)
        {
            Assert.True(clock.Elapsed < Patience, $"capture did not end within {Patience.TotalSeconds} s: {loop.Status}");
            var wait = loop.Frames.Wait(TimeSpan.FromMilliseconds(200), out var frame);
            if (wait == WaitOutcome.Ended)
            {
                break;
            }
            if (frame is null)
            {
                continue;
            }
            using (frame)
            {
                seen.Add((frame.Id, frame.Width, frame.Height, TestClips.Hash(frame)));
            }
            if (dawdleMs > 0)
            {
                Thread.Sleep(dawdleMs);
            }
        }
        return seen;
    }

    [Theory]
    [InlineData("mp4")]
    [InlineData("mkv")]
    public void LosslessFileDeliversEveryFrameExactlyOnceInOrder(string container)
    {
        string clip = container == "mp4" ? TestClips.Mp4 : TestClips.Mkv;
        var reference = TestClips.ReferenceFrameHashes(clip);
        Assert.Equal(TestClips.Frames, reference.Count);
        using var loop = new CaptureLoop(new FfmpegFrameSource(SourceSpec.Parse(clip)), new CaptureOptions { QueueCapacity = 2 });
        Assert.Equal(Pacing.Lossless, loop.Pacing);
        loop.Start();
        // A slow consumer for the first frames: back-pressure must hold FFmpeg back, not drop.
        var frames = Drain(loop, dawdleMs: 0).ToList();
        var status = loop.Status;

        Assert.Equal(reference, frames.Select(f => f.Hash).ToList());
        Assert.Equal(Enumerable.Range(0, TestClips.Frames).Select(i => (long)i), frames.Select(f => f.Id));
        Assert.All(frames, f => Assert.Equal((TestClips.Width, TestClips.Height), (f.W, f.H)));
        Assert.Equal(CaptureState.Ended, status.State);
        Assert.Equal(TestClips.Frames, status.Info.FrameCount);
        Assert.Equal(25, status.Info.Fps, 3);
        Assert.Equal(0, status.Dropped);
        Assert.Equal(0, loop.Pool.Outstanding);
        Assert.True(loop.Pool.Created <= 2 + 3, $"{loop.Pool.Created} frame buffers for a queue of 2: frames are not being reused");
    }

    [Fact]
    public void BackPressureHoldsTheSourceWithoutDropping()
    {
        var reference = TestClips.ReferenceFrameHashes(TestClips.Mkv);
        using var loop = new CaptureLoop(new FfmpegFrameSource(SourceSpec.Parse(TestClips.Mkv)), new CaptureOptions { QueueCapacity = 1 });
        loop.Start();
        var frames = Drain(loop, dawdleMs: 15);
        Assert.Equal(reference, frames.Select(f => f.Hash).ToList());
        Assert.Equal(0, loop.Pool.Outstanding);
    }

    [Fact]
    public void StrideDeliversEveryKthFrame()
    {
        var reference = TestClips.ReferenceFrameHashes(TestClips.Mp4);
        using var source = new FfmpegFrameSource(SourceSpec.Parse(TestClips.Mp4), new SourceOptions { Stride = 5 });
        using var loop = new CaptureLoop(source);
        loop.Start();
        var frames = Drain(loop);
        Assert.Equal(reference.Where((_, i) => i % 5 == 0).ToList(), frames.Select(f => f.Hash).ToList());
        Assert.Equal(10, loop.Status.Info.FrameCount);
    }

    [Fact]
    public void SteadyStateCaptureAllocatesNothingPerFrame()
    {
        using var loop = new CaptureLoop(FrameSources.Create("lavfi:testsrc2=size=320x240:rate=200"), new CaptureOptions { Pacing = Pacing.Lossless });
        loop.Start();
        // Three marks: after warm-up, and two windows of 100 frames. A one-off (the pool reaching its high-water
        // mark, the queue's first wait when it first fills) lands in one window; a per-frame cost lands in both.
        var marks = new List<(long Bytes, int Buffers)>();
        int taken = 0;
        var clock = Stopwatch.StartNew();
        while (taken < 250 && clock.Elapsed < Patience)
        {
            if (loop.Frames.Wait(TimeSpan.FromMilliseconds(200), out var frame) == WaitOutcome.Item)
            {
                frame!.Dispose();
                if (++taken is 50 or 150 or 250)
                {
                    marks.Add((loop.Status.CaptureThreadAllocatedBytes, loop.Pool.Created));
                }
            }
        }
        Assert.Equal(250, taken);
        long BeyondPoolGrowth(int from) =>
            marks[from + 1].Bytes - marks[from].Bytes - (marks[from + 1].Buffers - marks[from].Buffers) * (320L * 240 * 3 + 512);
        Assert.True(loop.Pool.Created - marks[0].Buffers <= 2, $"the pool grew by {loop.Pool.Created - marks[0].Buffers} buffers after warm-up: frames are not being reused");
        long first = BeyondPoolGrowth(0), second = BeyondPoolGrowth(1);
        Assert.True(Math.Min(first, second) <= 0, $"the capture thread allocated {first} and then {second} bytes per 100 frames beyond pool growth: a per-frame cost");
        Assert.True(first + second <= 256, $"the capture thread allocated {first + second} bytes over 200 frames beyond pool growth");
    }

    [Fact]
    public void LiveSourceIsPacedAndDropsWhatTheConsumerMisses()
    {
        using var loop = new CaptureLoop(FrameSources.Create("lavfi:testsrc2=size=320x240:rate=50"));
        Assert.Equal(Pacing.Live, loop.Pacing);
        loop.Start();
        var frames = Drain(loop, dawdleMs: 100, max: 15);
        var status = loop.Status;
        loop.Stop();

        Assert.Equal(15, frames.Count);
        Assert.True(status.Dropped > 0, $"a consumer at 10 fps on a 50 fps source dropped nothing: {status}");
        // Every captured frame was either taken, dropped, or is the one waiting in the slot.
        Assert.InRange(status.Captured - frames.Count - status.Dropped, 0, 1);
        Assert.True(frames.Zip(frames.Skip(1)).All(p => p.Second.Id > p.First.Id), "frame ids must increase");
        Assert.True(frames.Zip(frames.Skip(1)).Any(p => p.Second.Id > p.First.Id + 1), "the newest frame must win");
        // lavfi with -re is paced at its rate: far below what it could generate (thousands per second).
        Assert.InRange(status.MeasuredFps, 20, 100);
        Assert.Equal(0, loop.Pool.Outstanding);
    }

    [Fact]
    public void ImageFolderDeliversEachFileAtItsOwnSize()
    {
        using var dir = Fixtures.TempDir();
        var sizes = new[] { (64, 48), (100, 80), (33, 17) };
        var expected = new List<string>();
        for (int i = 0; i < sizes.Length; i++)
        {
            var (w, h) = sizes[i];
            using var frame = Frame.Allocate(w, h, PixelFormat.Rgb24);
            var px = frame.Pixels;
            for (int k = 0; k < px.Length; k++)
            {
                px[k] = (byte)(k * 7 + i * 31);
            }
            Png.Write(dir.File($"img{i}.png"), frame);
            expected.Add(TestClips.Hash(frame));
        }
        File.WriteAllText(dir.File("notes.txt"), "not an image");

        using var loop = new CaptureLoop(FrameSources.Create(dir.Path));
        loop.Start();
        var frames = Drain(loop);
        Assert.Equal(sizes, frames.Select(f => (f.W, f.H)).ToArray());
        Assert.Equal(expected, frames.Select(f => f.Hash).ToList());

        using var glob = new CaptureLoop(FrameSources.Create(Path.Combine(dir.Path, "img*.png")));
        glob.Start();
        Assert.Equal(3, Drain(glob).Count);
    }

    [Fact]
    public void TruncatedMatroskaEndsCleanlyAtTheLastGoodFrame()
    {
        var reference = TestClips.ReferenceFrameHashes(TestClips.Mkv);
        using var loop = new CaptureLoop(FrameSources.Create(TestClips.TruncatedMkv));
        loop.Start();
        var frames = Drain(loop);
        Assert.InRange(frames.Count, 1, TestClips.Frames - 1);
        Assert.Equal(reference.Take(frames.Count).ToList(), frames.Select(f => f.Hash).ToList());
        Assert.Equal(CaptureState.Ended, loop.Status.State);
        Assert.NotNull(loop.Status.Message); // says why it ended early
    }

    [Fact]
    public void TruncatedMp4IsAClearError()
    {
        using var loop = new CaptureLoop(FrameSources.Create(TestClips.TruncatedMp4));
        loop.Start();
        var e = Assert.Throws<CaptureException>(() => Drain(loop));
        Assert.Contains("cannot be read as video", e.Message, StringComparison.Ordinal);
        Assert.Contains("moov atom not found", e.Message, StringComparison.Ordinal); // FFmpeg's own words
        Assert.Equal(CaptureState.Failed, loop.Status.State);
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        using var loop = new CaptureLoop(FrameSources.Create("/nonexistent/clip.mp4"));
        loop.Start();
        var e = Assert.Throws<CaptureException>(() => Drain(loop));
        Assert.Contains("'/nonexistent/clip.mp4' does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingCameraListsTheCamerasThatExist()
    {
        using var loop = new CaptureLoop(FrameSources.Create("camera:/dev/video97"));
        loop.Start();
        var e = Assert.Throws<CaptureException>(() => Drain(loop));
        Assert.Contains("camera '/dev/video97' does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains(Cameras.Describe(Cameras.List()), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutFfmpegTheErrorSaysHowToInstallIt()
    {
        var e = Assert.Throws<CaptureException>(() => FfmpegTools.Locate("/nonexistent:/also-missing"));
        Assert.Contains("FFmpeg is not installed", e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install ffmpeg", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StopIsPromptWhileAStreamSendsNothing()
    {
        // A server that accepts and never sends: ffmpeg blocks in its read, so Read blocks.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<Socket>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await listener.AcceptSocketAsync());
                }
            }
            catch (ObjectDisposedException)
            {
            }
            catch (SocketException)
            {
            }
        });
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var loop = new CaptureLoop(FrameSources.Create($"tcp://127.0.0.1:{port}"));
            loop.Start();
            Thread.Sleep(700);
            Assert.Equal(0, loop.Status.Captured);
            var clock = Stopwatch.StartNew();
            loop.Dispose();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"stop took {clock.ElapsedMilliseconds} ms with a blocked source");
            Assert.Equal(WaitOutcome.Ended, loop.Frames.Wait(TimeSpan.Zero, out _));
        }
        finally
        {
            listener.Stop();
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void StopIsPromptWhileTheProducerIsHeldBackByAFullQueue()
    {
        using var loop = new CaptureLoop(FrameSources.Create(TestClips.Mp4), new CaptureOptions { QueueCapacity = 1 });
        loop.Start();
        Assert.Equal(WaitOutcome.Item, loop.Frames.Wait(Patience, out var first));
        first!.Dispose();
        Thread.Sleep(300); // the queue fills; the capture thread waits in Add
        var clock = Stopwatch.StartNew();
        loop.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"stop took {clock.ElapsedMilliseconds} ms under back-pressure");
        Assert.Equal(0, loop.Pool.Outstanding);
    }

    [Fact]
    public void AStreamThatNeverSendsAFrameFailsInsteadOfHanging()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var options = new SourceOptions { StallTimeout = TimeSpan.FromSeconds(1) };
            using var loop = new CaptureLoop(FrameSources.Create($"tcp://127.0.0.1:{port}", options));
            loop.Start();
            var e = Assert.Throws<CaptureException>(() => Drain(loop));
            Assert.Contains("sent no frame within 1 s", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void ADroppedStreamReconnectsAndItsNewResolutionFlowsDownstream()
    {
        int port = TestClips.FreePort();
        using var first = TestClips.ServeTcp(port, 320, 240, seconds: 1.5);
        var capture = new CaptureOptions { ReconnectDelay = TimeSpan.FromMilliseconds(200), ReconnectMaxDelay = TimeSpan.FromMilliseconds(400) };
        using var loop = new CaptureLoop(FrameSources.Create($"tcp://127.0.0.1:{port}"), capture);
        loop.Start();
        var sizes = new List<(int, int)>();
        var states = new HashSet<CaptureState>();
        Process? second = null;
        try
        {
            var clock = Stopwatch.StartNew();
            while (!sizes.Contains((480, 360)) && clock.Elapsed < Patience)
            {
                states.Add(loop.Status.State);
                if (second is null && first.HasExited)
                {
                    Thread.Sleep(600); // down for a while: attempts fail and back off
                    states.Add(loop.Status.State);
                    second = TestClips.ServeTcp(port, 480, 360, seconds: 3);
                }
                if (loop.Frames.Wait(TimeSpan.FromMilliseconds(100), out var frame) == WaitOutcome.Item)
                {
                    sizes.Add((frame!.Width, frame.Height));
                    frame.Dispose();
                }
            }
            var status = loop.Status;
            Assert.Contains((320, 240), sizes);
            Assert.Contains((480, 360), sizes);
            Assert.Contains(CaptureState.Reconnecting, states);
            Assert.True(status.Reconnects >= 1, status.ToString());
            Assert.Equal((480, 360), (status.Info.Width, status.Info.Height));
        }
        finally
        {
            loop.Stop();
            second?.Kill();
            second?.Dispose();
        }
    }
}
