using System.Globalization;

namespace RealtimeSeg.Renderer.Text;

/// <summary>Text written into a caller's buffer without allocating (the HUD and the chips, every frame); each call returns the characters written, cut at the buffer's end.</summary>
internal static class SpanText
{
    public static int Append(Span<char> into, string text)
    {
        int n = Math.Min(text.Length, into.Length);
        text.AsSpan(0, n).CopyTo(into);
        return n;
    }

    public static int Number(Span<char> into, double value, string format) =>
        value.TryFormat(into, out int written, format, CultureInfo.InvariantCulture) ? written : 0;
}
