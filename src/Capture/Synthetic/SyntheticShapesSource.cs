using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Capture.Synthetic;

/// <summary>
/// A deterministic animated scene of shapes (circles, squares, triangles, stars, hexagons) drifting, turning,
/// overlapping and crossing the frame edges over a textured, noisy background. Every rendered frame comes with
/// its exact ground truth: the visible pixels of each shape after occlusion, its tight box and class. The same
/// code renders the training set, the demo and the oracle that pipeline tests check against.
/// Not thread-safe: one thread renders.
/// </summary>
public sealed class SyntheticShapesSource
{
    private static readonly LabelMap Labels = new(ShapeClasses.Names, "synthetic scene");
    private readonly SyntheticSceneOptions _options;
    private readonly Random _sceneRandom;
    private readonly List<SceneObject> _objects = [];
    private readonly byte[] _background;
    private readonly int[] _owner;
    private readonly int[] _drawOrder;
    private readonly uint _noiseSeed;
    private int _spawned;

    /// <summary>A scene at its first frame.</summary>
    public SyntheticShapesSource(SyntheticSceneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _sceneRandom = new Random(options.Seed);
        _noiseSeed = (uint)_sceneRandom.Next();
        _background = RenderBackground(options.Width, options.Height, _sceneRandom);
        _owner = new int[options.Width * options.Height];
        int count = _sceneRandom.Next(options.MinObjects, options.MaxObjects + 1);
        _drawOrder = new int[count];
        for (int i = 0; i < count; i++)
        {
            _objects.Add(Spawn(entering: false));
        }
    }

    /// <summary>Frame width in pixels.</summary>
    public int Width => _options.Width;

    /// <summary>Frame height in pixels.</summary>
    public int Height => _options.Height;

    /// <summary>Frames per second of scene time.</summary>
    public double Fps => _options.Fps;

    /// <summary>The options the scene was made with.</summary>
    public SyntheticSceneOptions Options => _options;

    /// <summary>Index of the next frame <see cref="Render"/> draws.</summary>
    public long FrameIndex { get; private set; }

    /// <summary>The scene's class names as a label map (background first).</summary>
    public static LabelMap ClassLabels => Labels;

    /// <summary>Smallest visible area, in pixels, that counts as an instance at this size.</summary>
    public int MinInstanceArea => (int)Math.Ceiling(_options.MinVisibleArea * Width * Height);

    /// <summary>Advances the animation without drawing (for starting mid-scene).</summary>
    public void Skip(long frames)
    {
        for (long i = 0; i < frames; i++)
        {
            Step();
        }
    }

    /// <summary>
    /// Draws the current frame into <paramref name="frame"/> (RGB24 or BGR24 of the scene's size), fills
    /// <paramref name="truth"/> with every shape that shows at least one pixel (smallest first excluded by
    /// callers through <see cref="MinInstanceArea"/>), then advances one frame.
    /// </summary>
    public void Render(Frame frame, InstanceSet truth)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(truth);
        if (frame.Width != Width || frame.Height != Height || frame.Format.BytesPerPixel() != 3)
        {
            throw new ArgumentException($"frame must be {Width}x{Height} RGB24 or BGR24, got {frame.Width}x{frame.Height} {frame.Format}");
        }
        DrawBackground(frame);
        Array.Fill(_owner, -1);
        for (int i = 0; i < _objects.Count; i++)
        {
            _drawOrder[i] = i;
        }
        Array.Sort(_drawOrder, (a, b) => _objects[a].Depth.CompareTo(_objects[b].Depth));
        foreach (int index in _drawOrder)
        {
            DrawObject(frame, index);
        }
        AddSensorNoise(frame);
        CollectTruth(truth);
        frame.Id = FrameIndex;
        Step();
    }

    /// <summary>Stable identity of each ground-truth instance of the last frame (same shape, same id across frames).</summary>
    public IReadOnlyList<int> TruthObjectIds => _truthIds;

    private readonly List<int> _truthIds = [];

    private void Step()
    {
        double dt = 1.0 / _options.Fps;
        double aspect = (double)Width / Height;
        for (int i = 0; i < _objects.Count; i++)
        {
            var o = _objects[i];
            o.X += o.Vx * dt;
            o.Y += o.Vy * dt;
            o.Angle += o.Spin * dt;
            o.Age += dt;
            if (o.HasLeft(aspect))
            {
                _objects[i] = Spawn(entering: true);
            }
        }
        FrameIndex++;
    }

    private SceneObject Spawn(bool entering)
    {
        // Each object draws from its own stream, so a scene's history does not depend on render order.
        var rng = new Random(SeedMix.Combine(_options.Seed, _spawned));
        double aspect = (double)Width / Height;
        var o = new SceneObject
        {
            Id = _spawned++,
            Kind = (ShapeKind)rng.Next(1, 6),
            Radius = _options.MinRadius + rng.NextDouble() * (_options.MaxRadius - _options.MinRadius),
            Angle = rng.NextDouble() * 2 * Math.PI,
            Spin = (rng.NextDouble() * 2 - 1) * 1.2,
            WobblePhase = rng.NextDouble() * 2 * Math.PI,
            WobbleRate = 0.5 + rng.NextDouble() * 1.5,
            WobbleAmplitude = rng.NextDouble() * 0.03,
            Depth = rng.NextDouble(),
        };
        double speed = _options.MaxSpeed * (0.25 + 0.75 * rng.NextDouble());
        double heading = rng.NextDouble() * 2 * Math.PI;
        if (entering)
        {
            // Start just outside a random edge, heading inward.
            int edge = rng.Next(4);
            double along = rng.NextDouble();
            (o.X, o.Y, heading) = edge switch
            {
                0 => (-o.Radius, along, (rng.NextDouble() - 0.5) * Math.PI * 0.8),
                1 => (aspect + o.Radius, along, Math.PI + (rng.NextDouble() - 0.5) * Math.PI * 0.8),
                2 => (along * aspect, -o.Radius, Math.PI / 2 + (rng.NextDouble() - 0.5) * Math.PI * 0.8),
                _ => (along * aspect, 1 + o.Radius, -Math.PI / 2 + (rng.NextDouble() - 0.5) * Math.PI * 0.8),
            };
        }
        else
        {
            o.X = o.Radius * 0.5 + rng.NextDouble() * (aspect - o.Radius);
            o.Y = o.Radius * 0.5 + rng.NextDouble() * (1 - o.Radius);
        }
        o.Vx = speed * Math.Cos(heading);
        o.Vy = speed * Math.Sin(heading);
        (o.R, o.G, o.B) = VividColour(rng);
        return o;
    }

    private static (byte, byte, byte) VividColour(Random rng)
    {
        double h = rng.NextDouble() * 6, s = 0.55 + 0.45 * rng.NextDouble(), v = 0.6 + 0.4 * rng.NextDouble();
        double c = v * s, x = c * (1 - Math.Abs(h % 2 - 1)), m = v - c;
        var (r, g, b) = (int)h switch
        {
            0 => (c, x, 0.0), 1 => (x, c, 0.0), 2 => (0.0, c, x), 3 => (0.0, x, c), 4 => (x, 0.0, c), _ => (c, 0.0, x),
        };
        return ((byte)((r + m) * 255), (byte)((g + m) * 255), (byte)((b + m) * 255));
    }

    private void DrawObject(Frame frame, int index)
    {
        var o = _objects[index];
        double scale = Height; // frame heights -> pixels
        var (cx, cy) = o.Centre;
        double px = cx * scale, py = cy * scale, r = o.Radius * scale;
        int x0 = Math.Max(0, (int)Math.Floor(px - r)), x1 = Math.Min(Width - 1, (int)Math.Ceiling(px + r));
        int y0 = Math.Max(0, (int)Math.Floor(py - r)), y1 = Math.Min(Height - 1, (int)Math.Ceiling(py + r));
        double cos = Math.Cos(-o.Angle), sin = Math.Sin(-o.Angle), inv = 1 / r;
        var (ro, go, bo) = frame.Format.ChannelOffsets();
        for (int y = y0; y <= y1; y++)
        {
            var row = frame.Row(y);
            double dy = y + 0.5 - py;
            for (int x = x0; x <= x1; x++)
            {
                double dx = x + 0.5 - px;
                double u = (dx * cos - dy * sin) * inv, v = (dx * sin + dy * cos) * inv;
                if (!ShapeGeometry.Contains(o.Kind, u, v))
                {
                    continue;
                }
                // A soft light from the upper left gives the flat fill some depth.
                double shade = 1.0 - 0.18 * (u + v) * 0.5;
                row[3 * x + ro] = Clamp(o.R * shade);
                row[3 * x + go] = Clamp(o.G * shade);
                row[3 * x + bo] = Clamp(o.B * shade);
                _owner[y * Width + x] = index;
            }
        }
    }

    private void CollectTruth(InstanceSet truth)
    {
        truth.Reset(Width, Height, MaskKind.Bitmap, labels: Labels);
        _truthIds.Clear();
        foreach (int index in _drawOrder)
        {
            var o = _objects[index];
            double scale = Height;
            var (cx, cy) = o.Centre;
            double r = o.Radius * scale;
            int x0 = Math.Max(0, (int)Math.Floor(cx * scale - r)), x1 = Math.Min(Width, (int)Math.Ceiling(cx * scale + r) + 1);
            int y0 = Math.Max(0, (int)Math.Floor(cy * scale - r)), y1 = Math.Min(Height, (int)Math.Ceiling(cy * scale + r) + 1);
            int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
            for (int y = y0; y < y1; y++)
            {
                for (int x = x0; x < x1; x++)
                {
                    if (_owner[y * Width + x] == index)
                    {
                        minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
                        minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
                    }
                }
            }
            if (maxX < 0)
            {
                continue; // hidden or off-frame
            }
            int k = truth.Add(new BoxF(minX, minY, maxX + 1, maxY + 1), 1f, (int)o.Kind);
            var bounds = new PixelRect(minX, minY, maxX + 1, maxY + 1);
            var mask = truth.StoredBitmap(k).Reset(bounds);
            for (int y = bounds.Y0; y < bounds.Y1; y++)
            {
                for (int x = bounds.X0; x < bounds.X1; x++)
                {
                    mask[(y - bounds.Y0) * bounds.Width + (x - bounds.X0)] = _owner[y * Width + x] == index ? (byte)1 : (byte)0;
                }
            }
            _truthIds.Add(o.Id);
        }
    }

    // Smooth colour blobs (bilinear over a coarse random grid) plus fine static grain: textured, not flat.
    private static byte[] RenderBackground(int width, int height, Random rng)
    {
        const int gx = 7, gy = 5;
        var grid = new double[gx * gy * 3];
        double baseR = 70 + rng.NextDouble() * 90, baseG = 70 + rng.NextDouble() * 90, baseB = 70 + rng.NextDouble() * 90;
        for (int i = 0; i < gx * gy; i++)
        {
            double lift = (rng.NextDouble() - 0.5) * 70;
            grid[3 * i] = baseR + lift + (rng.NextDouble() - 0.5) * 30;
            grid[3 * i + 1] = baseG + lift + (rng.NextDouble() - 0.5) * 30;
            grid[3 * i + 2] = baseB + lift + (rng.NextDouble() - 0.5) * 30;
        }
        var pixels = new byte[width * height * 3];
        uint grain = (uint)rng.Next();
        for (int y = 0; y < height; y++)
        {
            double fy = (double)y / height * (gy - 1);
            int y0 = Math.Min((int)fy, gy - 2);
            double wy = fy - y0;
            for (int x = 0; x < width; x++)
            {
                double fx = (double)x / width * (gx - 1);
                int x0 = Math.Min((int)fx, gx - 2);
                double wx = fx - x0;
                double g = (int)(Hash((uint)x, (uint)y, grain) % 25) - 12;
                for (int c = 0; c < 3; c++)
                {
                    double top = grid[3 * (y0 * gx + x0) + c] * (1 - wx) + grid[3 * (y0 * gx + x0 + 1) + c] * wx;
                    double bottom = grid[3 * ((y0 + 1) * gx + x0) + c] * (1 - wx) + grid[3 * ((y0 + 1) * gx + x0 + 1) + c] * wx;
                    pixels[3 * (y * width + x) + c] = Clamp(top * (1 - wy) + bottom * wy + g);
                }
            }
        }
        return pixels;
    }

    /// <summary>The scene's background alone (no shapes, no sensor noise): for tests of the ground truth.</summary>
    internal void DrawBackground(Frame frame)
    {
        var (r, g, b) = frame.Format.ChannelOffsets();
        for (int y = 0; y < Height; y++)
        {
            var row = frame.Row(y);
            var src = _background.AsSpan(y * Width * 3, Width * 3);
            if (r == 0)
            {
                src.CopyTo(row);
                continue;
            }
            for (int x = 0; x < Width; x++)
            {
                row[3 * x + r] = src[3 * x];
                row[3 * x + g] = src[3 * x + 1];
                row[3 * x + b] = src[3 * x + 2];
            }
        }
    }

    // Per-frame sensor noise (±4), different every frame, same for the same seed and frame.
    private void AddSensorNoise(Frame frame)
    {
        uint seed = _noiseSeed ^ (uint)FrameIndex * 0x9E3779B9u;
        for (int y = 0; y < Height; y++)
        {
            var row = frame.Row(y);
            for (int i = 0; i < row.Length; i++)
            {
                int n = (int)(Hash((uint)i, (uint)y, seed) % 9) - 4;
                row[i] = (byte)Math.Clamp(row[i] + n, 0, 255);
            }
        }
    }

    private static uint Hash(uint x, uint y, uint seed)
    {
        uint h = x * 0x8DA6B343u ^ y * 0xD8163841u ^ seed * 0xCB1AB31Fu;
        h ^= h >> 13;
        h *= 0x5bd1e995u;
        return h ^ (h >> 15);
    }

    private static byte Clamp(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);
}
