using System.Globalization;
using RealtimeSeg.Runtime;

namespace RealtimeSeg.App.Commands;

internal static class CliParsing
{
    /// <summary>Parses "WxH" (e.g. 640x480); <paramref name="option"/> names the option in the error.</summary>
    public static (int W, int H) Size(string text, string option)
    {
        var parts = text.Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int w) &&
            int.TryParse(parts[1], CultureInfo.InvariantCulture, out int h) && w > 0 && h > 0)
        {
            return (w, h);
        }
        throw new RealtimeSegException($"{option} '{text}' is not a size; expected WxH, e.g. 640x480");
    }
}
