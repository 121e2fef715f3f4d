using System.Reflection;
using SkiaSharp;

namespace RealtimeSeg.Renderer.Text;

/// <summary>One glyph's place in the atlas and how it sits on the baseline, in atlas pixels.</summary>
/// <param name="X">Left of its cell in the atlas.</param>
/// <param name="Y">Top of its cell in the atlas (rows run top-down).</param>
/// <param name="Width">Cell width (0 for a space).</param>
/// <param name="Height">Cell height.</param>
/// <param name="Left">From the pen position to the cell's left edge.</param>
/// <param name="Top">From the baseline up to the cell's top edge.</param>
/// <param name="Advance">How far the pen moves after the glyph.</param>
internal readonly record struct Glyph(int X, int Y, int Width, int Height, int Left, int Top, int Advance);

/// <summary>
/// Printable ASCII baked once with SkiaSharp from the embedded DejaVu Sans at one pixel size, anti-aliased, into
/// an 8-bit coverage atlas. Drawn at exactly that size (one atlas texel per window pixel), so text is crisp at
/// any label size: each size the overlay asks for is its own atlas.
/// </summary>
internal sealed class GlyphAtlas
{
    public const char First = ' ', Last = '~';
    private const int Padding = 1; // an empty texel around each cell so neighbours never bleed
    private readonly Glyph[] _glyphs = new Glyph[Last - First + 1];

    private GlyphAtlas(int pixelSize) => PixelSize = pixelSize;

    /// <summary>The font size in pixels (em height) the atlas was baked at.</summary>
    public int PixelSize { get; }

    /// <summary>Atlas width in texels.</summary>
    public int Width { get; private set; }

    /// <summary>Atlas height in texels.</summary>
    public int Height { get; private set; }

    /// <summary>Coverage bytes, row-major, top row first.</summary>
    public byte[] Pixels { get; private set; } = [];

    /// <summary>From the baseline up to the top of the tallest glyph (capitals, ascenders).</summary>
    public int Ascent { get; private set; }

    /// <summary>From the baseline down to the bottom of the lowest glyph (descenders).</summary>
    public int Descent { get; private set; }

    /// <summary>Height of one line of text: ascent plus descent.</summary>
    public int LineHeight => Ascent + Descent;

    /// <summary>A character's glyph; anything outside printable ASCII draws as '?'.</summary>
    public Glyph this[char c] => _glyphs[(c is >= First and <= Last ? c : '?') - First];

    /// <summary>The pen advance of <paramref name="text"/>: its width when drawn.</summary>
    public int Measure(ReadOnlySpan<char> text)
    {
        int width = 0;
        foreach (char c in text)
        {
            width += this[c].Advance;
        }
        return width;
    }

    /// <summary>Bakes the atlas at <paramref name="pixelSize"/> (about 15 ms).</summary>
    public static GlyphAtlas Bake(int pixelSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pixelSize, 4);
        var atlas = new GlyphAtlas(pixelSize);
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("fonts/DejaVuSans.ttf")
            ?? throw new RendererException("the label font is not embedded in the renderer assembly (build problem)");
        using var typeface = SKTypeface.FromStream(stream) ?? throw new RendererException("SkiaSharp could not read the embedded DejaVu Sans font");
        using var font = new SKFont(typeface, pixelSize) { Edging = SKFontEdging.Antialias, Subpixel = false, Hinting = SKFontHinting.Normal };
        var metrics = font.Metrics;
        atlas.Ascent = (int)MathF.Ceiling(-metrics.Ascent);
        atlas.Descent = (int)MathF.Ceiling(metrics.Descent);
        int cell = atlas.Ascent + atlas.Descent + 2 * Padding;

        // Measure every glyph, then pack them in rows of a fixed-width atlas.
        const int AtlasWidth = 512;
        var bounds = new SKRect[atlas._glyphs.Length];
        var advances = new float[atlas._glyphs.Length];
        for (int i = 0; i < atlas._glyphs.Length; i++)
        {
            string s = ((char)(First + i)).ToString();
            advances[i] = font.MeasureText(s, out bounds[i]);
        }
        int x = 0, y = 0;
        var origins = new (int X, int Y)[atlas._glyphs.Length];
        for (int i = 0; i < atlas._glyphs.Length; i++)
        {
            int w = bounds[i].IsEmpty ? 0 : (int)MathF.Ceiling(bounds[i].Right) - (int)MathF.Floor(bounds[i].Left) + 2 * Padding;
            if (x + w > AtlasWidth)
            {
                (x, y) = (0, y + cell);
            }
            origins[i] = (x, y);
            x += w;
        }
        atlas.Width = AtlasWidth;
        atlas.Height = y + cell;

        using var bitmap = new SKBitmap(new SKImageInfo(atlas.Width, atlas.Height, SKColorType.Alpha8, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = true })
        {
            canvas.Clear(SKColors.Transparent);
            for (int i = 0; i < atlas._glyphs.Length; i++)
            {
                var b = bounds[i];
                int advance = (int)MathF.Round(advances[i]);
                if (b.IsEmpty)
                {
                    atlas._glyphs[i] = new Glyph(0, 0, 0, 0, 0, 0, advance);
                    continue;
                }
                int left = (int)MathF.Floor(b.Left);
                int w = (int)MathF.Ceiling(b.Right) - left + 2 * Padding;
                // The pen sits Padding texels right of the cell's left edge minus the glyph's own left bearing,
                // and the baseline Ascent + Padding texels below the cell's top.
                float penX = origins[i].X + Padding - left;
                float baseline = origins[i].Y + Padding + atlas.Ascent;
                canvas.DrawText(((char)(First + i)).ToString(), penX, baseline, SKTextAlign.Left, font, paint);
                atlas._glyphs[i] = new Glyph(origins[i].X, origins[i].Y, w, cell, left - Padding, atlas.Ascent + Padding, advance);
            }
        }
        var pixels = new byte[atlas.Width * atlas.Height];
        var source = bitmap.GetPixelSpan();
        for (int row = 0; row < atlas.Height; row++)
        {
            source.Slice(row * bitmap.RowBytes, atlas.Width).CopyTo(pixels.AsSpan(row * atlas.Width, atlas.Width));
        }
        atlas.Pixels = pixels;
        return atlas;
    }
}
