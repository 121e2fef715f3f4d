using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.App.Drawing;

/// <summary>
/// Draws instances onto a frame on the CPU (masks blended at half alpha, box outlines), for still-image output
/// where no GL context is needed. The live paths draw with the OpenGL renderer instead.
/// </summary>
internal static class CpuOverlay
{
    private static readonly (byte R, byte G, byte B)[] Palette =
    [
        (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
        (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 190), (0, 128, 128), (170, 110, 40),
    ];

    public static (byte R, byte G, byte B) ClassColour(int classId) => Palette[(classId % Palette.Length + Palette.Length) % Palette.Length];

    public static void Draw(Frame frame, InstanceSet instances, MaskBitmap scratch)
    {
        var (ro, go, bo) = frame.Format.ChannelOffsets();
        int bpp = frame.Format.BytesPerPixel();
        for (int i = 0; i < instances.Count; i++)
        {
            var (r, g, b) = ClassColour(instances.ClassIds[i]);
            if (instances.MaskKind != MaskKind.None)
            {
                var mask = instances.Mask(i, scratch);
                for (int y = Math.Max(mask.Bounds.Y0, 0); y < Math.Min(mask.Bounds.Y1, frame.Height); y++)
                {
                    var maskRow = mask.Row(y);
                    var row = frame.Row(y);
                    for (int x = Math.Max(mask.Bounds.X0, 0); x < Math.Min(mask.Bounds.X1, frame.Width); x++)
                    {
                        if (maskRow[x - mask.Bounds.X0] != 0)
                        {
                            int p = x * bpp;
                            row[p + ro] = (byte)((row[p + ro] + r) >> 1);
                            row[p + go] = (byte)((row[p + go] + g) >> 1);
                            row[p + bo] = (byte)((row[p + bo] + b) >> 1);
                        }
                    }
                }
            }
            DrawBox(frame, instances.Boxes[i], r, g, b, thickness: Math.Max(1, frame.Width / 320));
        }
    }

    private static void DrawBox(Frame frame, BoxF box, byte r, byte g, byte b, int thickness)
    {
        int x0 = Math.Clamp((int)MathF.Floor(box.X1), 0, frame.Width - 1), x1 = Math.Clamp((int)MathF.Ceiling(box.X2) - 1, 0, frame.Width - 1);
        int y0 = Math.Clamp((int)MathF.Floor(box.Y1), 0, frame.Height - 1), y1 = Math.Clamp((int)MathF.Ceiling(box.Y2) - 1, 0, frame.Height - 1);
        for (int t = 0; t < thickness; t++)
        {
            FillRect(frame, x0, y0 + t, x1, y0 + t, r, g, b);
            FillRect(frame, x0, y1 - t, x1, y1 - t, r, g, b);
            FillRect(frame, x0 + t, y0, x0 + t, y1, r, g, b);
            FillRect(frame, x1 - t, y0, x1 - t, y1, r, g, b);
        }
    }

    private static void FillRect(Frame frame, int x0, int y0, int x1, int y1, byte r, byte g, byte b)
    {
        var (ro, go, bo) = frame.Format.ChannelOffsets();
        int bpp = frame.Format.BytesPerPixel();
        for (int y = Math.Max(y0, 0); y <= Math.Min(y1, frame.Height - 1); y++)
        {
            var row = frame.Row(y);
            for (int x = Math.Max(x0, 0); x <= Math.Min(x1, frame.Width - 1); x++)
            {
                row[x * bpp + ro] = r;
                row[x * bpp + go] = g;
                row[x * bpp + bo] = b;
            }
        }
    }
}
