using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Processing;

namespace RealtimeSeg.Tests.Processing;

/// <summary>
/// The model's input made straight from YUV 4:2:0 planes equals the input the RGB path makes from the same
/// picture converted at full size, for both matrices and ranges, resized or not, tight or padded strides.
/// </summary>
public sealed class YuvInputTests
{
    /// <summary>Random planes (every value, so clamping is exercised), <paramref name="stride"/> bytes a luma row.</summary>
    internal static Frame RandomYuv(int width, int height, int stride, int seed, YuvColor color)
    {
        var bytes = new byte[stride * height * 3 / 2];
        new Random(seed).NextBytes(bytes);
        var frame = Frame.Wrap(bytes, width, height, PixelFormat.Yuv420, stride);
        frame.Color = color;
        return frame;
    }

    /// <summary>
    /// The textbook conversion (ITU-R BT.601 / BT.709 constants written out here, not taken from the product), each
    /// pixel with the chroma of its 2x2 block, clamped and rounded to bytes as a converter hands RGB24 over.
    /// </summary>
    internal static Frame ReferenceRgb(Frame yuv)
    {
        var (kr, kb) = yuv.Color.Matrix == YuvMatrix.Bt709 ? (0.2126, 0.0722) : (0.299, 0.114);
        double kg = 1 - kr - kb;
        var rgb = Frame.Allocate(yuv.Width, yuv.Height, PixelFormat.Rgb24);
        var luma = yuv.Plane(0);
        var u = yuv.Plane(1);
        var v = yuv.Plane(2);
        int cs = yuv.PlaneStride(1);
        for (int y = 0; y < yuv.Height; y++)
        {
            var row = rgb.Row(y);
            for (int x = 0; x < yuv.Width; x++)
            {
                double l = luma[y * yuv.Stride + x], cb = u[y / 2 * cs + x / 2] - 128.0, cr = v[y / 2 * cs + x / 2] - 128.0;
                if (!yuv.Color.FullRange)
                {
                    (l, cb, cr) = ((l - 16) * 255 / 219, cb * 255 / 224, cr * 255 / 224);
                }
                double r = l + 2 * (1 - kr) * cr, b = l + 2 * (1 - kb) * cb, g = (l - kr * r - kb * b) / kg;
                row[3 * x] = Byte(r);
                row[3 * x + 1] = Byte(g);
                row[3 * x + 2] = Byte(b);
            }
        }
        return rgb;
    }

    private static byte Byte(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);

    public static TheoryData<YuvMatrix, bool, int, int> Cases()
    {
        var cases = new TheoryData<YuvMatrix, bool, int, int>();
        foreach (var matrix in new[] { YuvMatrix.Bt601, YuvMatrix.Bt709 })
        {
            foreach (bool full in new[] { false, true })
            {
                cases.Add(matrix, full, 0, 0);     // the model's own size, tight rows
                cases.Add(matrix, full, 37, 16);   // down to an odd size, padded rows
                cases.Add(matrix, full, 75, 0);    // up, to an odd size
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheTensorIsTheRgbPathsOfTheConvertedPicture(YuvMatrix matrix, bool fullRange, int shortSide, int padding)
    {
        const int W = 64, H = 48;
        using var yuv = RandomYuv(W, H, W + padding, seed: 7 + shortSide, new YuvColor(matrix, fullRange));
        using var rgb = ReferenceRgb(yuv);
        var policy = shortSide == 0 ? new SizePolicy(H, W) : new SizePolicy(shortSide, 1000);
        foreach (var encoding in new[] { InputEncoding.Rgb01, InputEncoding.BgrMeanSubtracted })
        {
            var fromYuv = new InputTransform(W, H, PixelFormat.Yuv420, policy, encoding, 32);
            var fromRgb = new InputTransform(W, H, PixelFormat.Rgb24, policy, encoding, 32);
            Assert.Equal((fromRgb.TensorWidth, fromRgb.TensorHeight), (fromYuv.TensorWidth, fromYuv.TensorHeight));
            var a = new float[3 * fromYuv.TensorWidth * fromYuv.TensorHeight];
            var b = new float[a.Length];
            fromYuv.Apply(yuv, a);
            fromRgb.Apply(rgb, b);
            // The reference rounded each pixel to a byte; the YUV path never rounds: half a level apart at most.
            float level = encoding == InputEncoding.Rgb01 ? 1f / 255 : 1f;
            float worst = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
            Assert.True(worst <= 0.5f * level + 1e-4f, $"{matrix} {(fullRange ? "full" : "limited")} {encoding}: {worst / level:0.000} levels apart");
        }
    }

    [Theory]
    [InlineData(YuvMatrix.Bt601, false, 81, 90, 240, 255, 0, 0)]   // red, as BT.601 studio-range video codes it
    [InlineData(YuvMatrix.Bt709, false, 63, 102, 240, 255, 0, 0)]  // red in BT.709
    [InlineData(YuvMatrix.Bt709, false, 173, 42, 26, 0, 255, 0)]   // green in BT.709
    [InlineData(YuvMatrix.Bt601, false, 16, 128, 128, 0, 0, 0)]    // studio black and white
    [InlineData(YuvMatrix.Bt601, false, 235, 128, 128, 255, 255, 255)]
    [InlineData(YuvMatrix.Bt601, true, 76, 85, 255, 254, 0, 0)]    // JPEG's full-range red
    [InlineData(YuvMatrix.Bt601, true, 255, 128, 128, 255, 255, 255)]
    public void KnownColoursComeOutRight(YuvMatrix matrix, bool full, int y, int u, int v, int r, int g, int b)
    {
        var bytes = new byte[4 * 4 * 3 / 2];
        bytes.AsSpan(0, 16).Fill((byte)y);
        bytes.AsSpan(16, 4).Fill((byte)u);
        bytes.AsSpan(20, 4).Fill((byte)v);
        using var frame = Frame.Wrap(bytes, 4, 4, PixelFormat.Yuv420);
        frame.Color = new YuvColor(matrix, full);
        var t = new InputTransform(4, 4, PixelFormat.Yuv420, new SizePolicy(4, 4), InputEncoding.Rgb01, 1);
        var tensor = new float[3 * 16];
        t.Apply(frame, tensor);
        Assert.Equal(r, tensor[0] * 255, 1.5); // the codes are rounded to bytes: a level and a half
        Assert.Equal(g, tensor[16] * 255, 1.5);
        Assert.Equal(b, tensor[32] * 255, 1.5);
    }

    [Fact]
    public void PlanesAndStridesOfAPaddedFrame()
    {
        using var frame = RandomYuv(6, 4, 8, 1, default);
        Assert.Equal((8, 4), (frame.PlaneStride(0), frame.PlaneStride(1)));
        Assert.Equal((32, 8, 8), (frame.Plane(0).Length, frame.Plane(1).Length, frame.Plane(2).Length));
        Assert.Equal(frame.Pixels[32], frame.Plane(1)[0]);
        Assert.Equal(frame.Pixels[40], frame.Plane(2)[0]);
        Assert.Equal(new YuvColor(YuvMatrix.Bt601, false), Frame.Allocate(2, 2, PixelFormat.Yuv420).Color);
        Assert.Throws<ArgumentException>(() => Frame.Wrap(new byte[100], 6, 4, PixelFormat.Yuv420, 7));
    }
}
