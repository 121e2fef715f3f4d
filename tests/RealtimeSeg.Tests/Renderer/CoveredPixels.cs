using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Imaging;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>What an opaque white-on-black mask draw covered: the target read back, red above half, per pixel.</summary>
internal static class CoveredPixels
{
    public static bool[,] Read(OffscreenTarget target, Frame image)
    {
        target.ReadPixels(image);
        var covered = new bool[target.Width, target.Height];
        for (int y = 0; y < target.Height; y++)
        {
            var row = image.Row(y);
            for (int x = 0; x < target.Width; x++)
            {
                covered[x, y] = row[4 * x] > 128;
            }
        }
        return covered;
    }
}
