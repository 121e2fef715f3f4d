namespace RealtimeSeg.Renderer;

/// <summary>
/// Where each of several streams is drawn on one canvas: equal tiles, row by row from the top left, as square as
/// the count allows (2: side by side, 3-4: 2x2, 5-6: 3x2, 7-9: 3x3), with a gutter between them. Each stream's
/// frame is then letterboxed inside its tile by the overlay.
/// </summary>
/// <param name="Count">Streams laid out.</param>
/// <param name="Columns">Tiles a row.</param>
/// <param name="Rows">Rows of tiles.</param>
public readonly record struct TileGrid(int Count, int Columns, int Rows)
{
    /// <summary>Pixels between tiles, so that frames that fill their tiles still read as separate pictures.</summary>
    public const int Gutter = 2;

    /// <summary>The grid for <paramref name="count"/> streams.</summary>
    public static TileGrid For(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int columns = (int)Math.Ceiling(Math.Sqrt(count));
        return new TileGrid(count, columns, (count + columns - 1) / columns);
    }

    /// <summary>Stream <paramref name="index"/>'s tile of <paramref name="canvas"/> (GL coordinates: y up, so row 0 is the highest).</summary>
    public Viewport Tile(int index, Viewport canvas)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int column = index % Columns, row = index / Columns;
        int width = Math.Max(0, (canvas.Width - Gutter * (Columns - 1)) / Columns);
        int height = Math.Max(0, (canvas.Height - Gutter * (Rows - 1)) / Rows);
        int x = canvas.X + column * (width + Gutter);
        int y = canvas.Y + canvas.Height - (row + 1) * height - row * Gutter;
        return new Viewport(x, y, width, height);
    }
}
