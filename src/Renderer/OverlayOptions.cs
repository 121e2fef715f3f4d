using static RealtimeSeg.Renderer.Text.SpanText;

namespace RealtimeSeg.Renderer;

/// <summary>Where the overlay draws: a rectangle of the bound framebuffer, in GL window coordinates (origin bottom-left).</summary>
public readonly record struct Viewport(int X, int Y, int Width, int Height);

/// <summary>How instance colours are chosen.</summary>
public enum ColourMode
{
    /// <summary>An instance keeps its colour from result to result (IoU matching within its class).</summary>
    Tracked,
    /// <summary>One colour per class.</summary>
    PerClass,
}

/// <summary>What the overlay draws and how. Toggles are independent.</summary>
public sealed record OverlayOptions
{
    /// <summary>Frame, masks with outlines, boxes and labels with scores; no HUD; tracked colours.</summary>
    public static OverlayOptions Default { get; } = new();

    /// <summary>Draw the video frame (letterboxed, black bars); off to overlay a host's own picture.</summary>
    public bool Frame { get; init; } = true;

    /// <summary>Mask fills (pasted on the GPU from raw masks, or from full-resolution bitmaps).</summary>
    public bool Masks { get; init; } = true;

    /// <summary>Mask outlines, opaque.</summary>
    public bool Outlines { get; init; } = true;

    /// <summary>Box rectangles.</summary>
    public bool Boxes { get; init; } = true;

    /// <summary>Class names on chips above the boxes (shown for single-class models too).</summary>
    public bool Labels { get; init; } = true;

    /// <summary>Scores after the class names.</summary>
    public bool Scores { get; init; } = true;

    /// <summary>Track ids after the labels ("circle 0.97 #12") where a tracker gave the set its ids; off by default.</summary>
    public bool TrackIds { get; init; }

    /// <summary>
    /// Live drawing (a frame newer than its result): move each tracked instance's box and mask along its velocity
    /// to the drawn frame's capture time. Off draws them where the model saw them.
    /// </summary>
    public bool Motion { get; init; } = true;

    /// <summary>The furthest ahead (seconds) a result is moved: an older result is drawn as if this old, not extrapolated further.</summary>
    public double MaxMotionSeconds { get; init; } = 0.5;

    /// <summary>The panel with draw and inference rates, latency, provider and drops.</summary>
    public bool Hud { get; init; }

    /// <summary>Opacity of mask fills; outlines are opaque.</summary>
    public float MaskAlpha { get; init; } = 0.45f;

    /// <summary>Outline width in screen pixels.</summary>
    public int OutlinePixels { get; init; } = 2;

    /// <summary>Box line width in screen pixels (exact).</summary>
    public int BoxThickness { get; init; } = 2;

    /// <summary>Label and HUD text size: 7 pixels per step (2 → 14-pixel DejaVu Sans).</summary>
    public int TextScale { get; init; } = 2;

    /// <summary>How instances get their colours: kept across frames by tracking, or fixed per class.</summary>
    public ColourMode Colours { get; init; } = ColourMode.Tracked;

    /// <summary>Colours as 0xRRGGBB, used in order (tracked) or by class id (per class); null: the built-in palette.</summary>
    public IReadOnlyList<int>? Palette { get; init; }

    /// <summary>Stream frame uploads through two pixel-unpack buffers (asynchronous); off uploads directly.</summary>
    public bool UsePixelBuffers { get; init; } = true;

    /// <summary>Time the overlay passes with a GL timer query (read a few frames later, never stalling).</summary>
    public bool MeasureGpuTime { get; init; }

    /// <summary>
    /// Save every piece of GL state the overlay changes before it draws and put it back after (default). A host
    /// that sets its own state before each of its passes may turn this off and save the 37 glGet calls.
    /// </summary>
    public bool RestoreHostState { get; init; } = true;
}

/// <summary>Figures the HUD shows; the caller supplies them (the renderer has no clock of its own).</summary>
/// <param name="RenderFps">Frames drawn a second.</param>
/// <param name="InferenceFps">Results the model delivers a second.</param>
/// <param name="LatencyMs">Capture to result, median.</param>
/// <param name="Provider">The execution provider's CLI name.</param>
/// <param name="Dropped">Frames the model had no time for.</param>
public readonly record struct HudInfo(double RenderFps, double InferenceFps, double LatencyMs, string Provider, long Dropped)
{
    /// <summary>
    /// How old the drawn result is, in milliseconds: from its frame's capture to this draw. Between results it
    /// grows by the display interval; it is what the picture lags the world by. Negative: not shown.
    /// </summary>
    public double ResultAgeMs { get; init; } = -1;

    /// <summary>The stream this HUD belongs to when several are tiled on one canvas (shown first); null: not shown.</summary>
    public int? Stream { get; init; }

    /// <summary>The HUD's one line into <paramref name="text"/> without allocating; returns the characters written.</summary>
    internal int Format(Span<char> text)
    {
        // "draw 60.0 fps  model 14.2 fps  latency 45 ms  age 80 ms  cpu  dropped 3"
        int n = 0;
        if (Stream is { } stream)
        {
            n += Append(text[n..], "stream ");
            n += Number(text[n..], stream, "0");
            n += Append(text[n..], "  ");
        }
        n += Append(text[n..], "draw ");
        n += Number(text[n..], RenderFps, "0.0");
        n += Append(text[n..], " fps  model ");
        n += Number(text[n..], InferenceFps, "0.0");
        n += Append(text[n..], " fps  latency ");
        n += Number(text[n..], LatencyMs, "0");
        n += Append(text[n..], " ms  ");
        if (ResultAgeMs >= 0)
        {
            n += Append(text[n..], "age ");
            n += Number(text[n..], ResultAgeMs, "0");
            n += Append(text[n..], " ms  ");
        }
        n += Append(text[n..], Provider ?? "");
        n += Append(text[n..], "  dropped ");
        n += Number(text[n..], Dropped, "0");
        return n;
    }
}
