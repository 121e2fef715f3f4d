namespace RealtimeSeg.Capture.Synthetic;

/// <summary>One moving shape. Positions and sizes in frame heights; angles in radians.</summary>
internal sealed class SceneObject
{
    public int Id;
    public ShapeKind Kind;
    public double X, Y, Radius, Angle;
    public double Vx, Vy, Spin;
    public double WobblePhase, WobbleRate, WobbleAmplitude;
    public double Age;
    public double Depth;
    public byte R, G, B;

    /// <summary>Fully outside the frame (plus a margin) and moving away: time to be replaced.</summary>
    public bool HasLeft(double aspect) =>
        (X < -Radius * 1.5 && Vx <= 0) || (X > aspect + Radius * 1.5 && Vx >= 0) ||
        (Y < -Radius * 1.5 && Vy <= 0) || (Y > 1 + Radius * 1.5 && Vy >= 0);

    /// <summary>Centre with the smooth sideways wobble that keeps motion from looking linear.</summary>
    public (double X, double Y) Centre
    {
        get
        {
            double speed = Math.Sqrt(Vx * Vx + Vy * Vy);
            double w = WobbleAmplitude * Math.Sin(WobbleRate * Age + WobblePhase);
            return speed < 1e-9 ? (X, Y) : (X - Vy / speed * w, Y + Vx / speed * w);
        }
    }
}
