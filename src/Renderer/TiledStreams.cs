using System.Diagnostics;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.Renderer;

/// <summary>
/// Several streams drawn on one canvas: each stream's newest result (and, live, its newest frame) in its
/// <see cref="TileGrid"/> tile with its own HUD, or one stream enlarged to the whole canvas. Taking the newest never
/// waits, so a stalled or dropped stream keeps its last picture while the others move on. Holds a reference to each
/// stream's shown result and frame; dispose to release them. Use from the render thread.
/// </summary>
public sealed class TiledStreams : IDisposable
{
    private readonly StreamTile[] _streams;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _nextStats;
    private int _enlarged = -1;

    /// <summary>
    /// The streams in tile order; <c>Frames</c> is a live-mode stream's display frames (each drawn with the newest
    /// result moved to its time), null to draw results on their own frames.
    /// </summary>
    public TiledStreams(IReadOnlyList<(InferencePipeline Pipeline, FrameTap? Frames)> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        if (streams.Count == 0)
        {
            throw new ArgumentException("at least one stream is needed", nameof(streams));
        }
        _streams = streams.Select(s => new StreamTile(s.Pipeline ?? throw new ArgumentNullException(nameof(streams)), s.Frames)).ToArray();
        Grid = TileGrid.For(_streams.Length);
    }

    /// <summary>How the streams are laid out when none is enlarged.</summary>
    public TileGrid Grid { get; }

    /// <summary>Streams drawn.</summary>
    public int Count => _streams.Length;

    /// <summary>The stream drawn on the whole canvas; null draws the grid.</summary>
    public int? Enlarged
    {
        get => _enlarged < 0 ? null : _enlarged;
        set
        {
            if (value is { } v)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(v);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(v, Count);
            }
            _enlarged = value ?? -1;
        }
    }

    /// <summary>Where stream <paramref name="index"/> is drawn on <paramref name="canvas"/> now; empty when another is enlarged.</summary>
    public Viewport TileOf(int index, Viewport canvas) => _enlarged < 0 ? Grid.Tile(index, canvas) : index == _enlarged ? canvas : default;

    /// <summary>
    /// What stream <paramref name="index"/> shows now: its frame (live; null draws the result on its own frame) and
    /// result (null before the first). Borrowed: valid until the next <see cref="Update"/>.
    /// </summary>
    public (Frame? Frame, SegmentationResult? Result) ShownOf(int index) => (_streams[index].Frame, _streams[index].Result);

    /// <summary>Takes each stream's newest result and frame, if newer than the shown ones.</summary>
    public void Update()
    {
        foreach (var stream in _streams)
        {
            stream.Update();
        }
    }

    /// <summary>
    /// Draws every stream into its tile of <paramref name="canvas"/> (the caller binds and clears the target);
    /// a stream with nothing to show yet leaves its tile as cleared.
    /// </summary>
    public void Draw(OverlayRenderer overlay, Viewport canvas, OverlayOptions options, double renderFps)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        bool refresh = _clock.Elapsed.TotalSeconds >= _nextStats;
        if (refresh)
        {
            _nextStats = _clock.Elapsed.TotalSeconds + 1; // stats sort their windows: once a second, not per frame
        }
        for (int i = 0; i < _streams.Length; i++)
        {
            var tile = TileOf(i, canvas);
            if (tile.Width > 0 && tile.Height > 0)
            {
                _streams[i].Draw(overlay, tile, options, renderFps, _streams.Length > 1 ? i : null, refresh);
            }
        }
    }

    /// <summary>Releases the shown results and frames.</summary>
    public void Dispose()
    {
        foreach (var stream in _streams)
        {
            stream.Dispose();
        }
    }

    /// <summary>One stream's shown result and frame and its HUD figures.</summary>
    private sealed class StreamTile(InferencePipeline pipeline, FrameTap? frames) : IDisposable
    {
        private SegmentationResult? _result;
        private Frame? _frame;
        private HudInfo _hud = new(0, 0, 0, pipeline.ProviderName, 0);

        public Frame? Frame => _frame;

        public SegmentationResult? Result => _result;

        public void Update()
        {
            if (pipeline.TryGetLatest(out var latest))
            {
                _result?.Dispose();
                _result = latest;
            }
            if (frames is not null && frames.TryTakeNewest(out var newest))
            {
                _frame?.Dispose();
                _frame = newest;
            }
        }

        /// <summary>Draws into <paramref name="tile"/>; <paramref name="index"/> heads the HUD when several streams share the canvas.</summary>
        public void Draw(OverlayRenderer overlay, Viewport tile, OverlayOptions options, double renderFps, int? index, bool refresh)
        {
            if (refresh)
            {
                var stats = pipeline.Stats;
                _hud = _hud with { InferenceFps = stats.FpsOut, LatencyMs = stats.LatencyP50Ms, Dropped = stats.Dropped };
            }
            var hud = _hud with
            {
                RenderFps = renderFps,
                Stream = index,
                ResultAgeMs = _result is null ? -1 : Stopwatch.GetElapsedTime(_result.Frame.Timestamp).TotalMilliseconds,
            };
            if (_frame is not null)
            {
                overlay.Draw(_frame, _result, tile, options, hud);
            }
            else if (_result is not null)
            {
                overlay.Draw(_result, tile, options, hud);
            }
        }

        public void Dispose()
        {
            _result?.Dispose();
            _frame?.Dispose();
            (_result, _frame) = (null, null);
        }
    }
}
