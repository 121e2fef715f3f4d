using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.App.Commands;

/// <summary>A deterministic frame for benchmarks when no image is given: a noisy gradient with a few solid shapes.</summary>
internal static class TestPattern
{
    public static Frame Create((int W, int H) size)
    {
        var frame = Frame.Allocate(size.W, size.H, PixelFormat.Rgb24);
        var rng = new Random(7);
        for (int y = 0; y < size.H; y++)
        {
            var row = frame.Row(y);
            for (int x = 0; x < size.W; x++)
            {
                int noise = rng.Next(-10, 11);
                row[3 * x] = (byte)Math.Clamp(90 + 60 * x / size.W + noise, 0, 255);
                row[3 * x + 1] = (byte)Math.Clamp(100 + noise, 0, 255);
                row[3 * x + 2] = (byte)Math.Clamp(110 + 50 * y / size.H + noise, 0, 255);
            }
        }
        for (int k = 0; k < 4; k++)
        {
            int w = size.W / 8 + rng.Next(size.W / 8), h = size.H / 8 + rng.Next(size.H / 8);
            int x0 = rng.Next(size.W - w), y0 = rng.Next(size.H - h);
            byte r = (byte)rng.Next(256), g = (byte)rng.Next(256), b = (byte)rng.Next(256);
            bool disc = k % 2 == 1;
            for (int y = y0; y < y0 + h; y++)
            {
                var row = frame.Row(y);
                for (int x = x0; x < x0 + w; x++)
                {
                    float dx = (x - x0 - w / 2f) / (w / 2f), dy = (y - y0 - h / 2f) / (h / 2f);
                    if (!disc || dx * dx + dy * dy <= 1)
                    {
                        row[3 * x] = r; row[3 * x + 1] = g; row[3 * x + 2] = b;
                    }
                }
            }
        }
        return frame;
    }
}
