namespace RealtimeSeg.Capture.Synthetic;

/// <summary>Inside tests of each shape in its own unit frame (circumradius 1, centred, unrotated).</summary>
internal static class ShapeGeometry
{
    private static readonly (double X, double Y)[] Star = MakeStar();
    private static readonly (double Nx, double Ny)[] TriangleNormals = Normals(3, Math.PI / 2 + Math.PI / 3);
    private static readonly (double Nx, double Ny)[] HexagonNormals = Normals(6, Math.PI / 6);

    public static bool Contains(ShapeKind kind, double u, double v) => kind switch
    {
        ShapeKind.Circle => u * u + v * v <= 1,
        ShapeKind.Square => Math.Abs(u) <= 0.8 && Math.Abs(v) <= 0.8,
        ShapeKind.Triangle => InsideRegular(TriangleNormals, 0.5, u, v),
        ShapeKind.Hexagon => InsideRegular(HexagonNormals, Math.Cos(Math.PI / 6), u, v),
        ShapeKind.Star => InsidePolygon(Star, u, v),
        _ => false,
    };

    // A regular polygon is the intersection of half-planes at its inradius.
    private static bool InsideRegular((double Nx, double Ny)[] normals, double inradius, double u, double v)
    {
        foreach (var (nx, ny) in normals)
        {
            if (u * nx + v * ny > inradius)
            {
                return false;
            }
        }
        return true;
    }

    private static (double, double)[] Normals(int sides, double first)
    {
        var n = new (double, double)[sides];
        for (int k = 0; k < sides; k++)
        {
            double a = first + 2 * Math.PI * k / sides;
            n[k] = (Math.Cos(a), Math.Sin(a));
        }
        return n;
    }

    private static (double, double)[] MakeStar()
    {
        var p = new (double, double)[10];
        for (int k = 0; k < 10; k++)
        {
            double r = k % 2 == 0 ? 1.0 : 0.45;
            double a = -Math.PI / 2 + Math.PI * k / 5;
            p[k] = (r * Math.Cos(a), r * Math.Sin(a));
        }
        return p;
    }

    // Crossing-number test: the star is not convex.
    private static bool InsidePolygon((double X, double Y)[] poly, double u, double v)
    {
        bool inside = false;
        for (int i = 0, j = poly.Length - 1; i < poly.Length; j = i++)
        {
            var (xi, yi) = poly[i];
            var (xj, yj) = poly[j];
            if ((yi > v) != (yj > v) && u < (xj - xi) * (v - yi) / (yj - yi) + xi)
            {
                inside = !inside;
            }
        }
        return inside;
    }
}
