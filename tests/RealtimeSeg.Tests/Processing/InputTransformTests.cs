using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Processing;

public sealed class InputTransformTests
{
    private static Frame Random(int w, int h, PixelFormat format, int seed)
    {
        var frame = Frame.Allocate(w, h, format);
        new Random(seed).NextBytes(frame.Pixels);
        return frame;
    }

    /// <summary>The same picture in another byte order.</summary>
    private static Frame Convert(Frame rgb, PixelFormat format)
    {
        var dst = Frame.Allocate(rgb.Width, rgb.Height, format);
        var (r, g, b) = format.ChannelOffsets();
        int bpp = format.BytesPerPixel();
        for (int y = 0; y < rgb.Height; y++)
        {
            var s = rgb.Row(y);
            var d = dst.Row(y);
            for (int x = 0; x < rgb.Width; x++)
            {
                d[x * bpp + r] = s[3 * x];
                d[x * bpp + g] = s[3 * x + 1];
                d[x * bpp + b] = s[3 * x + 2];
                if (bpp == 4)
                {
                    d[x * bpp + 3] = 255;
                }
            }
        }
        return dst;
    }

    [Fact]
    public void AtTheModelsOwnSizeRgbBytesBecomePlanarValuesInZeroToOne()
    {
        using var frame = Random(40, 30, PixelFormat.Rgb24, 1);
        var t = new InputTransform(40, 30, PixelFormat.Rgb24, new SizePolicy(30, 40), InputEncoding.Rgb01, 1);
        Assert.Equal((40, 30), (t.TensorWidth, t.TensorHeight));
        var tensor = new float[3 * 40 * 30];
        t.Apply(frame, tensor);
        for (int y = 0; y < 30; y++)
        {
            for (int x = 0; x < 40; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal(frame.Row(y)[3 * x + c] / 255f, tensor[c * 1200 + y * 40 + x], 5);
                }
            }
        }
    }

    [Theory]
    [InlineData(PixelFormat.Bgr24)]
    [InlineData(PixelFormat.Bgra32)]
    public void EveryPixelFormatGivesTheSameTensor(PixelFormat format)
    {
        using var rgb = Random(64, 48, PixelFormat.Rgb24, 2);
        using var other = Convert(rgb, format);
        foreach (var encoding in new[] { InputEncoding.Rgb01, InputEncoding.BgrMeanSubtracted })
        {
            var policy = new SizePolicy(37, 100); // a resize, so the bilinear path is covered too
            var a = new float[3 * 64 * 64];
            var b = new float[3 * 64 * 64];
            new InputTransform(64, 48, PixelFormat.Rgb24, policy, encoding, 32).Apply(rgb, a);
            new InputTransform(64, 48, format, policy, encoding, 32).Apply(other, b);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void ZooEncodingIsBgrMinusTheMeanAndPadsWithZerosToMultiplesOf32()
    {
        using var frame = Frame.Allocate(50, 40, PixelFormat.Rgb24);
        for (int i = 0; i < frame.Pixels.Length; i += 3)
        {
            frame.Pixels[i] = 200; frame.Pixels[i + 1] = 100; frame.Pixels[i + 2] = 50;
        }
        var t = new InputTransform(50, 40, PixelFormat.Rgb24, new SizePolicy(40, 50), InputEncoding.BgrMeanSubtracted, 32);
        Assert.Equal((50, 40, 64, 64), (t.InputWidth, t.InputHeight, t.TensorWidth, t.TensorHeight));
        var tensor = new float[3 * 64 * 64];
        tensor.AsSpan().Fill(float.NaN); // padding must be written, not left over
        t.Apply(frame, tensor);
        int plane = 64 * 64;
        Assert.Equal(50 - 102.9801f, tensor[0], 3);           // B
        Assert.Equal(100 - 115.9465f, tensor[plane], 3);      // G
        Assert.Equal(200 - 122.7717f, tensor[2 * plane], 3);  // R
        Assert.Equal(0f, tensor[49 + 1]);                     // right padding, row 0
        Assert.Equal(0f, tensor[2 * plane + 63 * 64 + 10]);   // bottom padding
        Assert.DoesNotContain(tensor, float.IsNaN);
    }

    [Fact]
    public void ResizingKeepsAspectAndAConstantImageStaysConstant()
    {
        using var frame = Frame.Allocate(640, 480, PixelFormat.Rgb24);
        frame.Pixels.Fill(51);
        var t = new InputTransform(640, 480, PixelFormat.Rgb24, new SizePolicy(240, 1000), InputEncoding.Rgb01, 1);
        Assert.Equal((320, 240), (t.InputWidth, t.InputHeight));
        var tensor = new float[3 * 320 * 240];
        t.Apply(frame, tensor);
        Assert.All(tensor, v => Assert.Equal(0.2f, v, 5));
    }

    [Fact]
    public void TheLongSideCapWinsOverTheShortSide()
    {
        var (w, h, _) = new SizePolicy(800, 1333).Apply(2000, 500);
        Assert.Equal((1333, 333), (w, h));
        (w, h, _) = new SizePolicy(800, 1333).Apply(640, 480);
        Assert.Equal((1066, 800), (w, h));
    }

    [Fact]
    public void InvertMapsTensorBoxesBackToTheFrameAndClips()
    {
        var t = new InputTransform(640, 480, PixelFormat.Rgb24, new SizePolicy(240, 1000), InputEncoding.Rgb01, 1);
        Assert.Equal(new BoxF(20, 40, 200, 400), t.Invert(new BoxF(10, 20, 100, 200)));
        Assert.Equal(new BoxF(0, 0, 640, 480), t.Invert(new BoxF(-5, -5, 400, 300)));
    }

    [Fact]
    public void AFrameOfAnotherSizeIsRefused()
    {
        using var frame = Frame.Allocate(10, 10, PixelFormat.Rgb24);
        var t = new InputTransform(20, 10, PixelFormat.Rgb24, new SizePolicy(10, 20), InputEncoding.Rgb01, 1);
        Assert.Throws<ArgumentException>(() => t.Apply(frame, new float[600]));
    }
}
