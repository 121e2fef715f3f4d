namespace RealtimeSeg.Runtime.Tracking;

/// <summary>
/// Optimal assignment (the Hungarian method, Kuhn-Munkres with potentials, O(n³)) of rows to columns minimising
/// the total cost of a rectangular matrix; buffers are kept between calls, so a steady tracker allocates nothing.
/// </summary>
internal sealed class Assignment
{
    private double[] _u = [], _v = [], _minv = [];
    private int[] _p = [], _way = [];
    private bool[] _used = [];

    /// <summary>
    /// Fills <paramref name="rowToColumn"/> with each row's column (or -1) for the <paramref name="rows"/> ×
    /// <paramref name="columns"/> row-major <paramref name="cost"/>; pairs costing more than <paramref name="limit"/>
    /// are left unassigned.
    /// </summary>
    public void Solve(ReadOnlySpan<double> cost, int rows, int columns, double limit, Span<int> rowToColumn)
    {
        rowToColumn[..rows].Fill(-1);
        if (rows == 0 || columns == 0)
        {
            return;
        }
        // Square it: padding cells cost the limit, so taking one means "unassigned".
        int n = Math.Max(rows, columns);
        Ensure(n + 1);
        Array.Clear(_u, 0, n + 1);
        Array.Clear(_v, 0, n + 1);
        Array.Clear(_p, 0, n + 1);
        Array.Clear(_way, 0, n + 1);
        for (int i = 1; i <= n; i++)
        {
            _p[0] = i;
            int j0 = 0;
            Array.Fill(_minv, double.PositiveInfinity, 0, n + 1);
            Array.Clear(_used, 0, n + 1);
            do
            {
                _used[j0] = true;
                int i0 = _p[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= n; j++)
                {
                    if (_used[j])
                    {
                        continue;
                    }
                    double c = Cost(cost, rows, columns, limit, i0 - 1, j - 1) - _u[i0] - _v[j];
                    if (c < _minv[j])
                    {
                        _minv[j] = c;
                        _way[j] = j0;
                    }
                    if (_minv[j] < delta)
                    {
                        delta = _minv[j];
                        j1 = j;
                    }
                }
                for (int j = 0; j <= n; j++)
                {
                    if (_used[j])
                    {
                        _u[_p[j]] += delta;
                        _v[j] -= delta;
                    }
                    else
                    {
                        _minv[j] -= delta;
                    }
                }
                j0 = j1;
            }
            while (_p[j0] != 0);
            do
            {
                int j1 = _way[j0];
                _p[j0] = _p[j1];
                j0 = j1;
            }
            while (j0 != 0);
        }
        for (int j = 1; j <= n; j++)
        {
            int row = _p[j] - 1, column = j - 1;
            if (row < rows && column < columns && cost[row * columns + column] <= limit)
            {
                rowToColumn[row] = column;
            }
        }
    }

    private static double Cost(ReadOnlySpan<double> cost, int rows, int columns, double limit, int row, int column) =>
        row < rows && column < columns ? Math.Min(cost[row * columns + column], limit + 1) : limit;

    /// <summary>Grows the buffers for matrices up to <paramref name="side"/> × <paramref name="side"/> now rather than later.</summary>
    public void Reserve(int side) => Ensure(side + 1);

    private void Ensure(int size)
    {
        if (_u.Length >= size)
        {
            return;
        }
        _u = new double[size];
        _v = new double[size];
        _minv = new double[size];
        _p = new int[size];
        _way = new int[size];
        _used = new bool[size];
    }
}
