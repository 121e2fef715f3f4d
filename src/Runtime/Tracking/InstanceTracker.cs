using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Runtime.Tracking;

/// <summary>How <see cref="InstanceTracker"/> follows instances from result to result.</summary>
public sealed record TrackerOptions
{
    /// <summary>Box IoU (against the track's prediction) below which a detection does not continue a track.</summary>
    public float MinIou { get; init; } = 0.2f;

    /// <summary>Seconds a track lives without a detection (a missed result or a brief occlusion) before it is dropped.</summary>
    public double MaxUnseenSeconds { get; init; } = 0.5;

    /// <summary>
    /// Temporal smoothing of raw masks: each tracked instance's M×M probabilities become this much of its track's
    /// previous (smoothed) mask plus the rest of the new one, against flicker. 0 (the default) is off; raw masks
    /// only (they are box-relative, so a moving object's history still lines up). Measured with
    /// <c>bench-live --mask-smoothing</c> before it could become a default.
    /// </summary>
    public float MaskSmoothing { get; init; }

    /// <summary>The defaults: IoU 0.2, half a second unseen, no mask smoothing.</summary>
    public static TrackerOptions Default { get; } = new();
}

/// <summary>
/// Stable track ids across results, SORT-style: each track is a constant-velocity Kalman filter over its box's
/// centre and size, predicted to the new result's capture time; detections are matched to the tracks of their
/// class by an optimal assignment on 1 − IoU with the predictions; unmatched detections start new tracks, and a
/// track unseen for <see cref="TrackerOptions.MaxUnseenSeconds"/> ends. Ids are never reused. Feed results in
/// capture order from one thread; allocation-free once its buffers have grown.
/// </summary>
public sealed class InstanceTracker
{
    private readonly TrackerOptions _options;
    private readonly Assignment _assignment = new();
    // Sized up front for 64 live tracks and 128 detections a result (the pipeline keeps at most 100), so a running
    // pipeline never grows them: growing is for unusual scenes, once.
    private const int InitialTracks = 64, InitialDetections = 128;
    private Track[] _tracks = new Track[InitialTracks];
    private int _count;
    private int _nextId = 1;
    private double[] _cost = new double[InitialTracks * InitialDetections];
    private int[] _matches = new int[InitialTracks];
    private bool[] _taken = new bool[InitialDetections];
    private readonly Stack<float[]> _maskBuffers = new(InitialTracks); // smoothing history of ended tracks, reused

    /// <summary>A tracker with <paramref name="options"/> (or the defaults).</summary>
    public InstanceTracker(TrackerOptions? options = null)
    {
        _options = options ?? TrackerOptions.Default;
        _assignment.Reserve(Math.Max(InitialTracks, InitialDetections));
    }

    /// <summary>Tracks alive now.</summary>
    public int Count => _count;

    /// <summary>
    /// Takes one result's instances captured at <paramref name="timeSeconds"/> and writes each one's track id into
    /// <paramref name="trackIds"/> (new objects get new ids).
    /// </summary>
    public void Update(InstanceSet instances, double timeSeconds, Span<int> trackIds) => Update(instances, timeSeconds, trackIds, []);

    /// <summary>
    /// As <see cref="Update(InstanceSet, double, Span{int})"/>, and writes each instance's velocity as its track now
    /// estimates it into <paramref name="velocities"/> (empty: not wanted; zero for a new track).
    /// </summary>
    public void Update(InstanceSet instances, double timeSeconds, Span<int> trackIds, Span<BoxVelocity> velocities)
    {
        ArgumentNullException.ThrowIfNull(instances);
        int n = instances.Count;
        if (trackIds.Length < n)
        {
            throw new ArgumentException($"{trackIds.Length} ids for {n} instances", nameof(trackIds));
        }
        if (velocities.Length != 0 && velocities.Length < n)
        {
            throw new ArgumentException($"{velocities.Length} velocities for {n} instances", nameof(velocities));
        }
        if (_options.MaskSmoothing is < 0 or >= 1 || float.IsNaN(_options.MaskSmoothing))
        {
            throw new ArgumentException($"mask smoothing {_options.MaskSmoothing} is outside 0 (off) to below 1");
        }
        bool smooth = _options.MaskSmoothing > 0 && instances.MaskKind == MaskKind.Raw;
        Grow(ref _cost, _count * n);
        Grow(ref _matches, Math.Max(_count, 1));
        Grow(ref _taken, Math.Max(n, 1));
        // Cost of continuing track t with detection d: 1 − IoU with the track's prediction; other classes never.
        for (int t = 0; t < _count; t++)
        {
            var predicted = _tracks[t].PredictedBox(timeSeconds);
            for (int d = 0; d < n; d++)
            {
                _cost[t * n + d] = instances.ClassIds[d] == _tracks[t].ClassId ? 1 - BoxF.Iou(predicted, instances.Boxes[d]) : 2;
            }
        }
        _assignment.Solve(_cost.AsSpan(0, _count * n), _count, n, 1 - _options.MinIou, _matches);
        _taken.AsSpan(0, n).Clear();
        for (int t = 0; t < _count; t++)
        {
            int d = _matches[t];
            if (d >= 0)
            {
                _tracks[t].Correct(instances.Boxes[d], timeSeconds);
                trackIds[d] = _tracks[t].Id;
                if (smooth)
                {
                    Smooth(ref _tracks[t].Mask, instances.WritableRawMask(d));
                }
                if (velocities.Length != 0)
                {
                    velocities[d] = _tracks[t].Velocity;
                }
                _taken[d] = true;
            }
        }
        // Tracks unseen too long end (kept in order: the survivors shift down).
        int kept = 0;
        for (int t = 0; t < _count; t++)
        {
            if (timeSeconds - _tracks[t].LastSeen <= _options.MaxUnseenSeconds)
            {
                _tracks[kept++] = _tracks[t];
            }
            else if (_tracks[t].Mask is { } buffer)
            {
                _maskBuffers.Push(buffer);
            }
        }
        _count = kept;
        for (int d = 0; d < n; d++)
        {
            if (!_taken[d])
            {
                if (_count == _tracks.Length)
                {
                    Array.Resize(ref _tracks, _tracks.Length * 2);
                }
                _tracks[_count++] = Track.Start(_nextId, instances.ClassIds[d], instances.Boxes[d], timeSeconds);
                trackIds[d] = _nextId++;
                if (smooth)
                {
                    Smooth(ref _tracks[_count - 1].Mask, instances.WritableRawMask(d));
                }
                if (velocities.Length != 0)
                {
                    velocities[d] = default; // one sighting says nothing about speed
                }
            }
        }
    }

    /// <summary>Where track <paramref name="trackId"/>'s box is predicted at <paramref name="timeSeconds"/>; false for a track that ended.</summary>
    public bool TryPredict(int trackId, double timeSeconds, out BoxF box)
    {
        for (int t = 0; t < _count; t++)
        {
            if (_tracks[t].Id == trackId)
            {
                box = _tracks[t].PredictedBox(timeSeconds);
                return true;
            }
        }
        box = default;
        return false;
    }

    /// <summary>Blends <paramref name="mask"/> with the track's history in place and keeps the result as the new history.</summary>
    private void Smooth(ref float[]? history, Span<float> mask)
    {
        if (history is null || history.Length != mask.Length)
        {
            // A new track (or another mask size): its first mask is its history.
            history = _maskBuffers.TryPop(out var reused) && reused.Length == mask.Length ? reused : new float[mask.Length];
            mask.CopyTo(history);
            return;
        }
        float keep = _options.MaskSmoothing, take = 1 - keep;
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = history[i] = keep * history[i] + take * mask[i];
        }
    }

    private static void Grow<T>(ref T[] array, int size)
    {
        if (array.Length < size)
        {
            array = new T[Math.Max(size, array.Length * 2)];
        }
    }

    /// <summary>One tracked object: four independent constant-velocity Kalman filters (centre x, y; width, height).</summary>
    private struct Track
    {
        public int Id, ClassId;
        public double LastSeen;
        public float[]? Mask; // smoothed raw mask (MaskSmoothing > 0)
        private Axis _cx, _cy, _w, _h;

        public static Track Start(int id, int classId, BoxF box, double time) => new()
        {
            Id = id,
            ClassId = classId,
            LastSeen = time,
            _cx = Axis.Start((box.X1 + box.X2) / 2, time),
            _cy = Axis.Start((box.Y1 + box.Y2) / 2, time),
            _w = Axis.Start(box.Width, time),
            _h = Axis.Start(box.Height, time),
        };

        public readonly BoxF PredictedBox(double time)
        {
            double cx = _cx.PredictAt(time), cy = _cy.PredictAt(time);
            double w = Math.Max(1, _w.PredictAt(time)), h = Math.Max(1, _h.PredictAt(time));
            return new BoxF((float)(cx - w / 2), (float)(cy - h / 2), (float)(cx + w / 2), (float)(cy + h / 2));
        }

        public readonly BoxVelocity Velocity => new((float)_cx.Velocity, (float)_cy.Velocity, (float)_w.Velocity, (float)_h.Velocity);

        public void Correct(BoxF box, double time)
        {
            _cx.Correct((box.X1 + box.X2) / 2, time);
            _cy.Correct((box.Y1 + box.Y2) / 2, time);
            _w.Correct(box.Width, time);
            _h.Correct(box.Height, time);
            LastSeen = time;
        }
    }

    /// <summary>
    /// A 1-D constant-velocity Kalman filter: state (position, velocity) with a 2×2 covariance. The box's four
    /// axes are independent under SORT's diagonal noise, so four of these equal one 8-state filter exactly.
    /// </summary>
    private struct Axis
    {
        private const double MeasurementVariance = 4;   // px²: detector jitter
        private const double AccelerationVariance = 400; // (px/s²)²: how fast objects may change speed
        private double _x, _v, _pxx, _pxv, _pvv, _time;

        public static Axis Start(double position, double time) => new() { _x = position, _pxx = MeasurementVariance, _pvv = 1e4, _time = time };

        public readonly double PredictAt(double time) => _x + _v * (time - _time);

        public readonly double Velocity => _v;

        public void Correct(double measured, double time)
        {
            // Predict to the measurement's time (white-acceleration process noise), then update.
            double dt = Math.Max(0, time - _time);
            double q = AccelerationVariance;
            _x += _v * dt;
            _pxx += dt * (2 * _pxv + dt * _pvv) + q * dt * dt * dt * dt / 4;
            _pxv += dt * _pvv + q * dt * dt * dt / 2;
            _pvv += q * dt * dt;
            double s = _pxx + MeasurementVariance;
            double kx = _pxx / s, kv = _pxv / s, residual = measured - _x;
            _x += kx * residual;
            _v += kv * residual;
            double pxx = _pxx, pxv = _pxv;
            _pxx = (1 - kx) * pxx;
            _pxv = (1 - kx) * pxv;
            _pvv -= kv * pxv;
            _time = time;
        }
    }
}
