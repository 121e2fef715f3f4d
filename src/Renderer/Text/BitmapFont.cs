namespace RealtimeSeg.Renderer.Text;

/// <summary>
/// A built-in 5x7 pixel font covering printable ASCII (32 to 126), in the classic HD44780 LCD / "glcdfont" style.
/// 5x7 is the smallest size that keeps every character legible; the renderer's text shader scales it up by whole
/// factors, so it stays crisp at any size without shipping a font file or a rasteriser. The glyphs live in this file
/// as '#'/'.' pictures so they can be reviewed and fixed by eye, and are packed into bits once at startup.
/// </summary>
internal static class BitmapFont
{
    public const int GlyphWidth = 5;
    public const int GlyphHeight = 7;

    /// <summary>The first character with a glyph (space, 32).</summary>
    public const char First = ' ';

    /// <summary>The last character with a glyph (tilde, 126).</summary>
    public const char Last = '~';

    /// <summary>Cell size in the atlas: glyph plus 1 px spacing on the right and bottom.</summary>
    public const int CellWidth = 6, CellHeight = 8;

    /// <summary>Cells per atlas row: 16 columns x 6 rows hold the 95 glyphs.</summary>
    public const int Columns = 16;

    private const int GlyphCount = Last - First + 1;
    private const int AtlasRows = (GlyphCount + Columns - 1) / Columns;

    /// <summary>Atlas width in pixels (96).</summary>
    public static int AtlasWidth => Columns * CellWidth;

    /// <summary>Atlas height in pixels (48).</summary>
    public static int AtlasHeight => AtlasRows * CellHeight;

    /// <summary>
    /// True when pixel (x, y) of glyph c is set (x 0..4 left to right, y 0..6 top to bottom); unknown chars render
    /// as '?'. Pixels outside the glyph (such as the spacing column of a cell) are never set. Allocation-free.
    /// </summary>
    public static bool IsSet(char c, int x, int y)
    {
        if ((uint)x >= GlyphWidth || (uint)y >= GlyphHeight)
        {
            return false;
        }
        byte row = Bits[GlyphIndex(c) * GlyphHeight + y];
        return ((row >> (GlyphWidth - 1 - x)) & 1) != 0;
    }

    /// <summary>The atlas as one byte per pixel (255 = ink, 0 = empty), row-major, top row first, AtlasWidth x AtlasHeight.</summary>
    public static byte[] BuildAtlas()
    {
        int width = AtlasWidth;
        var atlas = new byte[width * AtlasHeight];
        for (char c = First; c <= Last; c++)
        {
            var (originX, originY) = CellOrigin(c);
            for (int y = 0; y < GlyphHeight; y++)
            {
                for (int x = 0; x < GlyphWidth; x++)
                {
                    if (IsSet(c, x, y))
                    {
                        atlas[(originY + y) * width + originX + x] = 255;
                    }
                }
            }
        }
        return atlas;
    }

    /// <summary>Top-left pixel of glyph c's cell in the atlas; unknown chars give the cell of '?'.</summary>
    public static (int X, int Y) CellOrigin(char c)
    {
        int index = GlyphIndex(c);
        return (index % Columns * CellWidth, index / Columns * CellHeight);
    }

    /// <summary>Width in pixels of a string at scale 1 (CellWidth per char, minus the trailing spacing column; 0 for empty).</summary>
    public static int MeasureWidth(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : text.Length * CellWidth - 1;

    /// <summary>Index of c's glyph, falling back to '?' so stray characters show up as visibly wrong, not as gaps.</summary>
    private static int GlyphIndex(char c) => c is >= First and <= Last ? c - First : '?' - First;

    /// <summary>Glyphs per band of <see cref="Table"/>: 95 = 19 bands of 5, drawn side by side.</summary>
    private const int BandGlyphs = 5;

    /// <summary>
    /// The font, drawn by hand: '#' is ink, '.' is empty. Glyphs sit side by side in bands of five, in character
    /// order, so each band reads as a picture: a band is 7 lines (top row first), and each line holds that row of
    /// the band's five glyphs. Lowercase descenders (g, j, p, q, y) are squeezed into the 7 rows, as on the HD44780.
    /// </summary>
    private static readonly string[] Table =
    [
        // ' '      '!'      '"'      '#'      '$'
        ".....", "..#..", ".#.#.", ".#.#.", "..#..",
        ".....", "..#..", ".#.#.", ".#.#.", ".####",
        ".....", "..#..", ".#.#.", "#####", "#.#..",
        ".....", "..#..", ".....", ".#.#.", ".###.",
        ".....", "..#..", ".....", "#####", "..#.#",
        ".....", ".....", ".....", ".#.#.", "####.",
        ".....", "..#..", ".....", ".#.#.", "..#..",

        // '%'      '&'      '''      '('      ')'
        "##...", ".##..", ".##..", "...#.", ".#...",
        "##..#", "#..#.", "..#..", "..#..", "..#..",
        "...#.", "#.#..", ".#...", ".#...", "...#.",
        "..#..", ".#...", ".....", ".#...", "...#.",
        ".#...", "#.#.#", ".....", ".#...", "...#.",
        "#..##", "#..#.", ".....", "..#..", "..#..",
        "...##", ".##.#", ".....", "...#.", ".#...",

        // '*'      '+'      ','      '-'      '.'
        ".....", ".....", ".....", ".....", ".....",
        "..#..", "..#..", ".....", ".....", ".....",
        "#.#.#", "..#..", ".....", ".....", ".....",
        ".###.", "#####", ".....", "#####", ".....",
        "#.#.#", "..#..", ".##..", ".....", ".....",
        "..#..", "..#..", "..#..", ".....", ".##..",
        ".....", ".....", ".#...", ".....", ".##..",

        // '/'      '0'      '1'      '2'      '3'
        ".....", ".###.", "..#..", ".###.", "#####",
        "....#", "#...#", ".##..", "#...#", "...#.",
        "...#.", "#..##", "..#..", "....#", "..#..",
        "..#..", "#.#.#", "..#..", "...#.", "...#.",
        ".#...", "##..#", "..#..", "..#..", "....#",
        "#....", "#...#", "..#..", ".#...", "#...#",
        ".....", ".###.", ".###.", "#####", ".###.",

        // '4'      '5'      '6'      '7'      '8'
        "...#.", "#####", "..##.", "#####", ".###.",
        "..##.", "#....", ".#...", "....#", "#...#",
        ".#.#.", "####.", "#....", "...#.", "#...#",
        "#..#.", "....#", "####.", "..#..", ".###.",
        "#####", "....#", "#...#", ".#...", "#...#",
        "...#.", "#...#", "#...#", ".#...", "#...#",
        "...#.", ".###.", ".###.", ".#...", ".###.",

        // '9'      ':'      ';'      '<'      '='
        ".###.", ".....", ".....", "...#.", ".....",
        "#...#", ".##..", ".##..", "..#..", ".....",
        "#...#", ".##..", ".##..", ".#...", "#####",
        ".####", ".....", ".....", "#....", ".....",
        "....#", ".##..", ".##..", ".#...", "#####",
        "...#.", ".##..", "..#..", "..#..", ".....",
        ".##..", ".....", ".#...", "...#.", ".....",

        // '>'      '?'      '@'      'A'      'B'
        ".#...", ".###.", ".###.", ".###.", "####.",
        "..#..", "#...#", "#...#", "#...#", "#...#",
        "...#.", "....#", "....#", "#...#", "#...#",
        "....#", "...#.", ".##.#", "#####", "####.",
        "...#.", "..#..", "#.#.#", "#...#", "#...#",
        "..#..", ".....", "#.#.#", "#...#", "#...#",
        ".#...", "..#..", ".###.", "#...#", "####.",

        // 'C'      'D'      'E'      'F'      'G'
        ".###.", "###..", "#####", "#####", ".###.",
        "#...#", "#..#.", "#....", "#....", "#...#",
        "#....", "#...#", "#....", "#....", "#....",
        "#....", "#...#", "####.", "####.", "#.###",
        "#....", "#...#", "#....", "#....", "#...#",
        "#...#", "#..#.", "#....", "#....", "#...#",
        ".###.", "###..", "#####", "#....", ".####",

        // 'H'      'I'      'J'      'K'      'L'
        "#...#", ".###.", "..###", "#...#", "#....",
        "#...#", "..#..", "...#.", "#..#.", "#....",
        "#...#", "..#..", "...#.", "#.#..", "#....",
        "#####", "..#..", "...#.", "##...", "#....",
        "#...#", "..#..", "...#.", "#.#..", "#....",
        "#...#", "..#..", "#..#.", "#..#.", "#....",
        "#...#", ".###.", ".##..", "#...#", "#####",

        // 'M'      'N'      'O'      'P'      'Q'
        "#...#", "#...#", ".###.", "####.", ".###.",
        "##.##", "#...#", "#...#", "#...#", "#...#",
        "#.#.#", "##..#", "#...#", "#...#", "#...#",
        "#.#.#", "#.#.#", "#...#", "####.", "#...#",
        "#...#", "#..##", "#...#", "#....", "#.#.#",
        "#...#", "#...#", "#...#", "#....", "#..#.",
        "#...#", "#...#", ".###.", "#....", ".##.#",

        // 'R'      'S'      'T'      'U'      'V'
        "####.", ".####", "#####", "#...#", "#...#",
        "#...#", "#....", "..#..", "#...#", "#...#",
        "#...#", "#....", "..#..", "#...#", "#...#",
        "####.", ".###.", "..#..", "#...#", "#...#",
        "#.#..", "....#", "..#..", "#...#", "#...#",
        "#..#.", "....#", "..#..", "#...#", ".#.#.",
        "#...#", "####.", "..#..", ".###.", "..#..",

        // 'W'      'X'      'Y'      'Z'      '['
        "#...#", "#...#", "#...#", "#####", ".###.",
        "#...#", "#...#", "#...#", "....#", ".#...",
        "#...#", ".#.#.", "#...#", "...#.", ".#...",
        "#.#.#", "..#..", ".#.#.", "..#..", ".#...",
        "#.#.#", ".#.#.", "..#..", ".#...", ".#...",
        "#.#.#", "#...#", "..#..", "#....", ".#...",
        ".#.#.", "#...#", "..#..", "#####", ".###.",

        // '\'      ']'      '^'      '_'      '`'
        ".....", ".###.", "..#..", ".....", ".#...",
        "#....", "...#.", ".#.#.", ".....", "..#..",
        ".#...", "...#.", "#...#", ".....", "...#.",
        "..#..", "...#.", ".....", ".....", ".....",
        "...#.", "...#.", ".....", ".....", ".....",
        "....#", "...#.", ".....", ".....", ".....",
        ".....", ".###.", ".....", "#####", ".....",

        // 'a'      'b'      'c'      'd'      'e'
        ".....", "#....", ".....", "....#", ".....",
        ".....", "#....", ".....", "....#", ".....",
        ".###.", "#.##.", ".###.", ".##.#", ".###.",
        "....#", "##..#", "#....", "#..##", "#...#",
        ".####", "#...#", "#....", "#...#", "#####",
        "#...#", "#...#", "#...#", "#...#", "#....",
        ".####", "####.", ".###.", ".####", ".###.",

        // 'f'      'g'      'h'      'i'      'j'
        "..##.", ".....", "#....", "..#..", "...#.",
        ".#..#", ".....", "#....", ".....", ".....",
        ".#...", ".####", "#.##.", ".##..", "..##.",
        "###..", "#...#", "##..#", "..#..", "...#.",
        ".#...", ".####", "#...#", "..#..", "...#.",
        ".#...", "....#", "#...#", "..#..", "#..#.",
        ".#...", ".###.", "#...#", ".###.", ".##..",

        // 'k'      'l'      'm'      'n'      'o'
        "#....", ".##..", ".....", ".....", ".....",
        "#....", "..#..", ".....", ".....", ".....",
        "#..#.", "..#..", "##.#.", "#.##.", ".###.",
        "#.#..", "..#..", "#.#.#", "##..#", "#...#",
        "##...", "..#..", "#.#.#", "#...#", "#...#",
        "#.#..", "..#..", "#...#", "#...#", "#...#",
        "#..#.", ".###.", "#...#", "#...#", ".###.",

        // 'p'      'q'      'r'      's'      't'
        ".....", ".....", ".....", ".....", ".#...",
        ".....", ".....", ".....", ".....", ".#...",
        "####.", ".##.#", "#.##.", ".###.", "###..",
        "#...#", "#..##", "##..#", "#....", ".#...",
        "####.", ".####", "#....", ".###.", ".#...",
        "#....", "....#", "#....", "....#", ".#..#",
        "#....", "....#", "#....", "####.", "..##.",

        // 'u'      'v'      'w'      'x'      'y'
        ".....", ".....", ".....", ".....", ".....",
        ".....", ".....", ".....", ".....", ".....",
        "#...#", "#...#", "#...#", "#...#", "#...#",
        "#...#", "#...#", "#...#", ".#.#.", "#...#",
        "#...#", "#...#", "#.#.#", "..#..", ".####",
        "#..##", ".#.#.", "#.#.#", ".#.#.", "....#",
        ".##.#", "..#..", ".#.#.", "#...#", ".###.",

        // 'z'      '{'      '|'      '}'      '~'
        ".....", "...#.", "..#..", ".#...", ".....",
        ".....", "..#..", "..#..", "..#..", ".....",
        "#####", "..#..", "..#..", "..#..", ".#...",
        "...#.", ".#...", "..#..", "...#.", "#.#.#",
        "..#..", "..#..", "..#..", "..#..", "...#.",
        ".#...", "..#..", "..#..", "..#..", ".....",
        "#####", "...#.", "..#..", ".#...", ".....",
    ];

    /// <summary>One byte per glyph row, bit 4 = leftmost pixel; glyph i's rows are at i * GlyphHeight.</summary>
    private static readonly byte[] Bits = Pack(Table);

    /// <summary>Checks and packs the table once, so a mistyped row fails loudly at startup, not as a garbled label.</summary>
    private static byte[] Pack(string[] table)
    {
        if (table.Length != GlyphCount * GlyphHeight)
        {
            throw new InvalidOperationException(
                $"BitmapFont table has {table.Length} rows, expected {GlyphCount * GlyphHeight} ({GlyphCount} glyphs x {GlyphHeight})");
        }
        var bits = new byte[GlyphCount * GlyphHeight];
        for (int glyph = 0; glyph < GlyphCount; glyph++)
        {
            int band = glyph / BandGlyphs, slot = glyph % BandGlyphs;
            for (int y = 0; y < GlyphHeight; y++)
            {
                ReadOnlySpan<char> row = table[(band * GlyphHeight + y) * BandGlyphs + slot];
                bits[glyph * GlyphHeight + y] = PackRow(row, (char)(First + glyph), y);
            }
        }
        return bits;
    }

    private static byte PackRow(ReadOnlySpan<char> row, char c, int y)
    {
        if (row.Length != GlyphWidth)
        {
            throw new InvalidOperationException(
                $"BitmapFont glyph '{c}' (U+{(int)c:X4}) row {y} is \"{row}\": expected exactly {GlyphWidth} characters of '#' or '.'");
        }
        int packed = 0;
        foreach (char p in row)
        {
            packed = p switch
            {
                '#' => (packed << 1) | 1,
                '.' => packed << 1,
                _ => throw new InvalidOperationException(
                    $"BitmapFont glyph '{c}' (U+{(int)c:X4}) row {y} is \"{row}\": only '#' (ink) and '.' (empty) are allowed"),
            };
        }
        return (byte)packed;
    }
}
