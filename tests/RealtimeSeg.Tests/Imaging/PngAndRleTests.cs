using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Imaging;

public sealed class PngAndRleTests
{
    [Theory]
    [InlineData(PixelFormat.Rgb24)]
    [InlineData(PixelFormat.Bgr24)]
    [InlineData(PixelFormat.Bgra32)]
    public void PngRoundTripsPixelsExactly(PixelFormat format)
    {
        using var dir = Fixtures.TempDir();
        using var frame = Frame.Allocate(37, 23, format);
        new Random(3).NextBytes(frame.Pixels);
        string path = dir.File("a.png");
        Png.Write(path, frame);
        using var back = Png.Read(path);
        Assert.Equal((37, 23, PixelFormat.Rgb24), (back.Width, back.Height, back.Format));
        var (r, g, b) = format.ChannelOffsets();
        int bpp = format.BytesPerPixel();
        for (int y = 0; y < 23; y++)
        {
            for (int x = 0; x < 37; x++)
            {
                Assert.Equal(frame.Row(y)[x * bpp + r], back.Row(y)[3 * x]);
                Assert.Equal(frame.Row(y)[x * bpp + g], back.Row(y)[3 * x + 1]);
                Assert.Equal(frame.Row(y)[x * bpp + b], back.Row(y)[3 * x + 2]);
            }
        }
    }

    [Fact]
    public void PngIsReadableByOtherDecodersToo()
    {
        // The fixture reference frames are PPM; a PNG we write of one must decode to the same pixels in
        // the PPM reader's terms (round trip through both codecs).
        using var dir = Fixtures.TempDir();
        using var ppm = Fixtures.Frame("scene1");
        Png.Write(dir.File("s.png"), ppm);
        Ppm.Write(dir.File("s.ppm"), Png.Read(dir.File("s.png")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Fixtures.Dir, "frames", "scene1.ppm")), File.ReadAllBytes(dir.File("s.ppm")));
    }

    [Fact]
    public void TruncatedOrForeignPngIsAClearError()
    {
        using var dir = Fixtures.TempDir();
        using var frame = Frame.Allocate(64, 64, PixelFormat.Rgb24);
        new Random(1).NextBytes(frame.Pixels);
        Png.Write(dir.File("a.png"), frame);
        byte[] bytes = File.ReadAllBytes(dir.File("a.png"));
        File.WriteAllBytes(dir.File("cut.png"), bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<RealtimeSegException>(() => Png.Read(dir.File("cut.png")));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        File.WriteAllText(dir.File("text.png"), "hello");
        Assert.Equal($"{dir.File("text.png")} is not a PNG file", Assert.Throws<RealtimeSegException>(() => Png.Read(dir.File("text.png"))).Message);
    }

    [Fact]
    public void RleIsColumnMajorStartsWithBackgroundAndRoundTrips()
    {
        var mask = new MaskBitmap();
        var data = mask.Reset(new PixelRect(1, 0, 3, 2)); // columns 1..2, rows 0..1 of a 4x3 image
        data.Fill(1);
        var counts = MaskRle.Encode(mask, 4, 3);
        // Column 0: 3 zeros; column 1: 2 ones, 1 zero; column 2: 2 ones, 1 zero; column 3: 3 zeros.
        Assert.Equal([3, 2, 1, 2, 4], counts);
        var back = new MaskBitmap();
        MaskRle.Decode(counts, 4, 3, back);
        Assert.Equal(4, back.PixelCount);
        Assert.True(back[1, 0] && back[2, 1] && !back[0, 0] && !back[1, 2]);
        Assert.Throws<RealtimeSegException>(() => MaskRle.Decode([5, 20], 4, 3, back));
    }
}
