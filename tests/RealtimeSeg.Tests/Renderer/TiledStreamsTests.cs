using RealtimeSeg.Capture;
using RealtimeSeg.Renderer;
using RealtimeSeg.Renderer.Native;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>
/// Several streams on one canvas: the grid's arithmetic, then real sessions over the demo model drawn as tiles
/// offscreen (EGL) and in a GLFW window (Xvfb), read back pixel by pixel, with a stream enlarged by its key.
/// </summary>
public sealed class TiledStreamsTests : IDisposable
{
    private static readonly (byte R, byte G, byte B)[] Colours = [(220, 30, 30), (30, 200, 30), (30, 30, 220), (230, 230, 230)];
    private readonly Runtime.Model.SegmentationModel _model = Fixtures.Open(Fixtures.DemoModel);
    private readonly List<SegmentationSession> _sessions = [];

    public void Dispose()
    {
        _sessions.ForEach(s => s.Dispose());
        _model.Dispose();
    }

    [Fact]
    public void TheGridIsAsSquareAsTheCountAllowsAndItsTilesFillTheCanvasWithoutOverlapping()
    {
        Assert.Equal((1, 1), (TileGrid.For(1).Columns, TileGrid.For(1).Rows));
        Assert.Equal((2, 1), (TileGrid.For(2).Columns, TileGrid.For(2).Rows));
        Assert.Equal((2, 2), (TileGrid.For(3).Columns, TileGrid.For(3).Rows));
        Assert.Equal((3, 2), (TileGrid.For(5).Columns, TileGrid.For(5).Rows));
        Assert.Equal((3, 3), (TileGrid.For(9).Columns, TileGrid.For(9).Rows));
        Assert.Equal((4, 4), (TileGrid.For(16).Columns, TileGrid.For(16).Rows));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileGrid.For(0));
        var canvas = new Viewport(0, 0, 1280, 720);
        for (int count = 1; count <= 16; count++)
        {
            var grid = TileGrid.For(count);
            var tiles = Enumerable.Range(0, count).Select(i => grid.Tile(i, canvas)).ToList();
            foreach (var t in tiles)
            {
                Assert.True(t.X >= 0 && t.Y >= 0 && t.X + t.Width <= canvas.Width && t.Y + t.Height <= canvas.Height, $"{count} streams: {t} leaves the canvas");
                Assert.True(t.Width >= canvas.Width / grid.Columns - TileGrid.Gutter && t.Height >= canvas.Height / grid.Rows - TileGrid.Gutter, $"{count} streams: {t} is too small");
            }
            for (int a = 0; a < count; a++)
            {
                for (int b = a + 1; b < count; b++)
                {
                    var (p, q) = (tiles[a], tiles[b]);
                    bool apart = p.X + p.Width <= q.X || q.X + q.Width <= p.X || p.Y + p.Height <= q.Y || q.Y + q.Height <= p.Y;
                    Assert.True(apart, $"{count} streams: tiles {a} {p} and {b} {q} overlap");
                }
            }
            // Row by row from the top left (GL's y is up).
            Assert.Equal(0, tiles[0].X);
            Assert.Equal(canvas.Height, tiles[0].Y + tiles[0].Height);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => TileGrid.For(3).Tile(3, canvas));
    }

    /// <summary>Four host-frame streams through the one model, each a flat colour; the last live (its frame drawn, not its result's).</summary>
    private TiledStreams FourStreamsWithResults()
    {
        for (int i = 0; i < Colours.Length; i++)
        {
            var session = SegmentationSession.FromHostFrames(_model, mode: i == 3 ? DisplayMode.Live : DisplayMode.Sync);
            _sessions.Add(session);
            session.Start();
            using var frame = Frame.Allocate(i == 2 ? 160 : 320, 240, PixelFormat.Rgb24); // stream 2 is narrow: letterboxed in its tile
            for (int p = 0; p < frame.Pixels.Length; p += 3)
            {
                (frame.Pixels[p], frame.Pixels[p + 1], frame.Pixels[p + 2]) = Colours[i];
            }
            long id = session.HostFrames!.Publish(frame.Pixels, frame.Width, frame.Height, frame.Stride, frame.Format);
            Assert.True(session.TryWaitForResult(id, TimeSpan.FromSeconds(30), out var result), $"stream {i} got no result");
            result.Dispose();
        }
        var tiles = new TiledStreams(_sessions.Select(s => (s.Pipeline, s.DisplayFrames)).ToList());
        tiles.Update();
        return tiles;
    }

    private static void AssertColour((byte R, byte G, byte B) expected, (byte R, byte G, byte B) actual, string where) =>
        Assert.True(Math.Abs(expected.R - actual.R) <= 3 && Math.Abs(expected.G - actual.G) <= 3 && Math.Abs(expected.B - actual.B) <= 3,
            $"{where} is {actual}, expected {expected}");

    [Fact]
    public void EachStreamIsDrawnInItsTileAndAnEnlargedOneFillsTheCanvas()
    {
        using var context = new EglContext(debug: true);
        using var overlay = new OverlayRenderer(context.Gl);
        using var target = new OffscreenTarget(context.Gl, 640, 480);
        using var picture = Frame.Allocate(640, 480, PixelFormat.Bgra32);
        using var tiles = FourStreamsWithResults();
        var options = OverlayOptions.Default with { Masks = false, Boxes = false, Labels = false, Hud = false };
        (byte, byte, byte) At(int x, int y)
        {
            var row = picture.Row(y);
            return (row[4 * x + 2], row[4 * x + 1], row[4 * x]);
        }

        target.Clear();
        tiles.Draw(overlay, target.Viewport, options, 30);
        target.ReadPixels(picture);
        // 2x2 tiles of 319x239: stream 0 top left, 1 top right, 2 bottom left, 3 bottom right.
        AssertColour(Colours[0], At(160, 120), "stream 0's tile");
        AssertColour(Colours[1], At(480, 120), "stream 1's tile");
        AssertColour(Colours[2], At(160, 360), "stream 2's tile");
        AssertColour(Colours[3], At(480, 360), "stream 3's tile (live: its display frame)");
        AssertColour((0, 0, 0), At(20, 360), "stream 2's letterbox");
        AssertColour((0, 0, 0), At(320, 120), "the gutter");

        tiles.Enlarged = 2;
        Assert.Equal(default, tiles.TileOf(0, target.Viewport));
        Assert.Equal(target.Viewport, tiles.TileOf(2, target.Viewport));
        target.Clear();
        tiles.Draw(overlay, target.Viewport, options, 30);
        target.ReadPixels(picture);
        AssertColour(Colours[2], At(320, 240), "the enlarged stream 2");
        AssertColour(Colours[2], At(250, 20), "the enlarged stream 2 where stream 0's tile was");
        AssertColour((0, 0, 0), At(60, 240), "the enlarged stream 2's letterbox");
        Assert.Throws<ArgumentOutOfRangeException>(() => tiles.Enlarged = 4);

        // Each tile gets its own HUD panel at its own top left.
        tiles.Enlarged = null;
        target.Clear();
        tiles.Draw(overlay, target.Viewport, options with { Hud = true }, 30);
        target.ReadPixels(picture);
        foreach (var (x, y, i) in new[] { (8, 8, 0), (329, 8, 1), (329, 249, 3) })
        {
            var hud = At(x, y);
            var bare = Colours[i];
            Assert.True(hud.Item1 < bare.R * 0.6 + 10 && hud.Item2 < bare.G * 0.6 + 10 && hud.Item3 < bare.B * 0.6 + 10, $"stream {i}'s HUD panel pixel {hud} is not darkened");
        }
    }

    [Fact]
    public void TheViewerTilesTheStreamsAndTheirNumberKeysEnlargeOne()
    {
        XvfbDisplay.Ensure();
        using var dir = Fixtures.TempDir();
        using var tiles = FourStreamsWithResults();
        using var viewer = new ViewerWindow("RealtimeSeg grid test", 640, 480, vsync: false);
        viewer.Options = viewer.Options with { Masks = false, Boxes = false, Labels = false, Hud = false };
        viewer.ScreenshotFolder = dir.Path;
        viewer.Tiles = tiles;
        (byte, byte, byte) Shot(int x, int y)
        {
            viewer.HandleKey(Glfw.KeyS);
            viewer.RenderFrame();
            using var shot = Png.Read(viewer.LastScreenshot!);
            var p = shot.Row(y).Slice(x * shot.Format.BytesPerPixel(), 3);
            return (p[0], p[1], p[2]);
        }

        AssertColour(Colours[1], Shot(480, 120), "stream 1's tile");
        viewer.HandleKey(Glfw.Key0 + 1);
        Assert.Equal(1, tiles.Enlarged);
        AssertColour(Colours[1], Shot(160, 360), "the enlarged stream 1 where stream 2's tile was");
        viewer.HandleKey(Glfw.Key0 + 1); // the same key: back to the grid
        Assert.Null(tiles.Enlarged);
        AssertColour(Colours[2], Shot(160, 360), "stream 2's tile");
        viewer.HandleKey(Glfw.Key0 + 3);
        viewer.HandleKey(Glfw.Key0 + 7); // no stream 7: ignored
        Assert.Equal(3, tiles.Enlarged);
        viewer.HandleKey(Glfw.KeyG);
        Assert.Null(tiles.Enlarged);
        viewer.Tiles = null;
        viewer.HandleKey(Glfw.Key0 + 1); // no tiles: the number keys do nothing
        Assert.Null(tiles.Enlarged);
    }
}
