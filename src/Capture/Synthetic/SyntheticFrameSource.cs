using System.Diagnostics;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Capture.Synthetic;

/// <summary>
/// The synthetic shapes scene as a frame source: paced at its fps like a camera (<paramref name="live"/>), or as
/// fast as it renders for offline work. Frame ids are scene frame indices, so the ground truth of any frame
/// can be rebuilt with <see cref="SyntheticShapesSource.Skip"/> on a scene with the same options.
/// </summary>
internal sealed class SyntheticFrameSource(SyntheticSceneOptions scene, bool live = true, long frameCount = 0) : IFrameSource
{
    private readonly ManualResetEventSlim _interrupted = new();
    private SyntheticShapesSource _scene = new(scene);
    private readonly InstanceSet _truth = new(SyntheticShapesSource.ClassLabels);
    private long _startTicks;

    public SourceSpec Spec { get; } = new(SourceKind.Synthetic, scene.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), $"synthetic:{scene.Seed}");

    public StreamInfo Info { get; } = new()
    {
        Width = scene.Width, Height = scene.Height, Fps = scene.Fps, IsLive = live, Codec = "synthetic",
        FrameCount = frameCount > 0 ? frameCount : null,
    };

    public string? EndReason => null;

    public bool IsLive => live;

    /// <summary>Ground truth of the frame returned last.</summary>
    public InstanceSet LastTruth => _truth;

    public void Open()
    {
        _scene = new SyntheticShapesSource(scene);
        _interrupted.Reset();
        _startTicks = Stopwatch.GetTimestamp();
    }

    public Frame? Read(FramePool pool)
    {
        long index = _scene.FrameIndex;
        if (frameCount > 0 && index >= frameCount)
        {
            return null;
        }
        if (live)
        {
            long due = _startTicks + (long)(index / scene.Fps * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero && _interrupted.Wait(wait))
            {
                return null;
            }
        }
        var frame = pool.Rent(scene.Width, scene.Height, PixelFormat.Rgb24);
        _scene.Render(frame, _truth);
        frame.Id = index;
        frame.Timestamp = Stopwatch.GetTimestamp();
        return frame;
    }

    public void Interrupt() => _interrupted.Set();

    public void Dispose() => _interrupted.Dispose();
}
