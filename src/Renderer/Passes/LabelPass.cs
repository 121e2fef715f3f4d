using RealtimeSeg.Renderer.Graphics;
using RealtimeSeg.Renderer.Text;
using static RealtimeSeg.Renderer.Text.SpanText;
using RealtimeSeg.Runtime.Structures;
using Silk.NET.OpenGL;
using GLPixelFormat = Silk.NET.OpenGL.PixelFormat;

namespace RealtimeSeg.Renderer.Passes;

/// <summary>
/// Everything drawn as rectangles and text: letterbox bars, box outlines, label chips and their text, the HUD.
/// Rectangles are one instanced draw; glyphs one per text size (labels, and the HUD when a narrow viewport makes
/// it smaller). Text is formatted into a reused buffer and laid out by <see cref="LabelLayout"/>.
/// </summary>
internal sealed unsafe class LabelPass
{
    private const int Floats = 12; // rect 4, colour 4, params 4
    private const int Padding = 2;
    private readonly GL _gl;
    private readonly GlObjects _objects;
    private readonly ShaderProgram _program;
    private readonly InstanceStream _rects, _labelGlyphs, _hudGlyphs;
    private readonly Dictionary<int, (GlyphAtlas Atlas, uint Texture)> _fonts = []; // by pixel size: baked once each
    private readonly char[] _text = new char[128];
    private ScreenRect[] _taken = new ScreenRect[33]; // the HUD and the chips placed so far this frame
    private int _rectCount, _labelGlyphCount, _hudGlyphCount;

    public LabelPass(GL gl, GlObjects objects)
    {
        _gl = gl;
        _objects = objects;
        _program = objects.Program("rect");
        _rects = new InstanceStream(gl, objects, Floats, [4, 4, 4], 128);
        _labelGlyphs = new InstanceStream(gl, objects, Floats, [4, 4, 4], 512);
        _hudGlyphs = new InstanceStream(gl, objects, Floats, [4, 4, 4], 128);
        Font(FontPixels(OverlayOptions.Default.TextScale)); // the default size, baked now rather than at the first draw
    }

    /// <summary>Label text size in pixels for a text scale (2 → 14-pixel DejaVu Sans).</summary>
    private static int FontPixels(int scale) => 7 * Math.Max(1, scale);

    // boxes: Where each instance is drawn: its own box, or moved to the drawn frame's time (live).
    public void Draw(InstanceSet instances, ReadOnlySpan<BoxF> boxes, ReadOnlySpan<int> colours, PassTarget target, OverlayOptions options, HudInfo hud, int frameWidth, int frameHeight)
    {
        (_rectCount, _labelGlyphCount, _hudGlyphCount) = (0, 0, 0);
        var (viewport, layout) = (target.Viewport, target.Layout);
        if (_taken.Length < instances.Count + 1)
        {
            Array.Resize(ref _taken, instances.Count + 1);
        }
        int taken = 0;
        // The picture: where the frame is drawn inside the viewport (letterboxed), y up.
        float cx0 = viewport.X + layout.OffsetX, cx1 = cx0 + frameWidth * layout.Scale;
        float cy1 = viewport.Y + viewport.Height - layout.OffsetY, cy0 = cy1 - frameHeight * layout.Scale;
        var picture = new ScreenRect(cx0, cy0, cx1, cy1);
        if (options.Frame)
        {
            // Letterbox bars: the viewport outside the frame is black, like any video player.
            AddRect(viewport.X, viewport.Y, cx0, viewport.Y + viewport.Height, 0x000000, 1f, 0);
            AddRect(cx1, viewport.Y, viewport.X + viewport.Width, viewport.Y + viewport.Height, 0x000000, 1f, 0);
            AddRect(viewport.X, viewport.Y, viewport.X + viewport.Width, cy0, 0x000000, 1f, 0);
            AddRect(viewport.X, cy1, viewport.X + viewport.Width, viewport.Y + viewport.Height, 0x000000, 1f, 0);
        }
        var labelFont = Font(FontPixels(options.TextScale));
        var hudFont = labelFont;
        if (options.Hud)
        {
            // First, so the chips know where it is.
            (hudFont, _taken[taken++]) = AddHud(viewport, hud, options.TextScale);
        }
        for (int i = 0; i < instances.Count; i++)
        {
            var box = boxes[i];
            // Window pixels, rounded so the band lands on whole pixels.
            float left = MathF.Round(viewport.X + layout.OffsetX + box.X1 * layout.Scale);
            float right = MathF.Round(viewport.X + layout.OffsetX + box.X2 * layout.Scale);
            float top = MathF.Round(viewport.Y + viewport.Height - layout.OffsetY - box.Y1 * layout.Scale);
            float bottom = MathF.Round(viewport.Y + viewport.Height - layout.OffsetY - box.Y2 * layout.Scale);
            if (options.Boxes)
            {
                AddRect(left, bottom, right, top, colours[i], 1f, Math.Max(1, options.BoxThickness));
            }
            if (options.Labels)
            {
                int length = LabelText(instances, i, options.Scores, options.TrackIds, _text);
                var atlas = labelFont.Atlas;
                float chipW = atlas.Measure(_text.AsSpan(0, length)) + 2 * Padding;
                float chipH = atlas.LineHeight + 2 * Padding;
                var chip = LabelLayout.Place(left, top, chipW, chipH, picture, _taken.AsSpan(0, taken));
                _taken[taken++] = chip;
                AddRect(chip.X0, chip.Y0, chip.X1, chip.Y1, colours[i], 0.85f, 0);
                _labelGlyphCount = AddText(_labelGlyphs, _labelGlyphCount, _text.AsSpan(0, length), chip.X0 + Padding, chip.Y0 + Padding, atlas, TextColourOn(colours[i]));
            }
        }
        if (_rectCount == 0 && _labelGlyphCount == 0 && _hudGlyphCount == 0)
        {
            return;
        }
        _gl.UseProgram(_program.Handle);
        target.SetUniforms(_gl, _program);
        _gl.Uniform1(_program.Uniform("uFont"), 1);
        _gl.Uniform1(_program.Uniform("uMode"), 0);
        _rects.Draw(_rectCount);
        _gl.Uniform1(_program.Uniform("uMode"), 1);
        DrawGlyphs(_labelGlyphs, _labelGlyphCount, labelFont.Texture);
        DrawGlyphs(_hudGlyphs, _hudGlyphCount, hudFont.Texture);
    }

    private void DrawGlyphs(InstanceStream glyphs, int count, uint texture)
    {
        if (count == 0)
        {
            return;
        }
        _gl.ActiveTexture(TextureUnit.Texture1);
        _gl.BindTexture(TextureTarget.Texture2D, texture);
        glyphs.Draw(count);
    }

    /// <summary>The atlas of one text size and its texture, baked the first time that size is drawn.</summary>
    private (GlyphAtlas Atlas, uint Texture) Font(int pixels)
    {
        if (!_fonts.TryGetValue(pixels, out var font))
        {
            var atlas = GlyphAtlas.Bake(pixels);
            uint texture = PassMath.CreateTexture(_gl, _objects, TextureTarget.Texture2D, GLEnum.Nearest);
            _gl.PixelStore(PixelStoreParameter.UnpackAlignment, 1);
            _gl.PixelStore(PixelStoreParameter.UnpackRowLength, 0);
            _gl.BindBuffer(BufferTargetARB.PixelUnpackBuffer, 0);
            fixed (byte* p = atlas.Pixels)
            {
                _gl.TexImage2D(TextureTarget.Texture2D, 0, InternalFormat.R8, (uint)atlas.Width, (uint)atlas.Height, 0, GLPixelFormat.Red, PixelType.UnsignedByte, p);
            }
            _fonts[pixels] = font = (atlas, texture);
        }
        return font;
    }

    private ((GlyphAtlas Atlas, uint Texture) Font, ScreenRect Panel) AddHud(Viewport viewport, HudInfo hud, int scale)
    {
        var t = _text.AsSpan();
        int n = hud.Format(t);
        // Smaller text rather than a HUD cut off by a narrow viewport.
        var font = Font(FontPixels(scale));
        while (scale > 1 && font.Atlas.Measure(t[..n]) + 4 * Padding + 8 > viewport.Width)
        {
            font = Font(FontPixels(--scale));
        }
        float w = font.Atlas.Measure(t[..n]) + 4 * Padding;
        float h = font.Atlas.LineHeight + 4 * Padding;
        float x = viewport.X + 4, y = viewport.Y + viewport.Height - 4 - h;
        AddRect(x, y, x + w, y + h, 0x000000, 0.6f, 0);
        _hudGlyphCount = AddText(_hudGlyphs, 0, t[..n], x + 2 * Padding, y + 2 * Padding, font.Atlas, 0xFFFFFF);
        return (font, new ScreenRect(x, y, x + w, y + h));
    }

    /// <summary>"class 0.97 #12" into <paramref name="t"/>: the score when <paramref name="scores"/>, the track id when <paramref name="trackId"/> and a tracker gave the set its ids.</summary>
    internal static int LabelText(InstanceSet instances, int i, bool scores, bool trackId, Span<char> t)
    {
        int n = Append(t, instances.ClassName(i));
        if (scores && n < t.Length - 6)
        {
            t[n++] = ' ';
            n += Number(t[n..], instances.Scores[i], "0.00");
        }
        if (trackId && instances.IsTracked && n < t.Length - 12)
        {
            n += Append(t[n..], " #");
            n += Number(t[n..], instances.TrackIds[i], "0");
        }
        return n;
    }

    /// <summary>One instance per visible glyph: its atlas cell drawn 1:1 with the pen on a baseline <see cref="GlyphAtlas.Descent"/> above <paramref name="y"/>.</summary>
    private static int AddText(InstanceStream glyphs, int count, ReadOnlySpan<char> text, float x, float y, GlyphAtlas atlas, int colour)
    {
        float baseline = y + atlas.Descent;
        foreach (char c in text)
        {
            var g = atlas[c];
            if (g.Width > 0)
            {
                var d = glyphs.Instance(count++);
                float x0 = x + g.Left, y1 = baseline + g.Top;
                (d[0], d[1], d[2], d[3]) = (x0, y1 - g.Height, x0 + g.Width, y1);
                PassMath.WriteColour(d.Slice(4, 4), colour, 1f);
                (d[8], d[9], d[10], d[11]) = (g.X, g.Y, 1, 1);
            }
            x += g.Advance;
        }
        return count;
    }

    private void AddRect(float x0, float y0, float x1, float y1, int colour, float alpha, float thickness)
    {
        if (x1 <= x0 || y1 <= y0)
        {
            return;
        }
        var d = _rects.Instance(_rectCount++);
        (d[0], d[1], d[2], d[3]) = (x0, y0, x1, y1);
        PassMath.WriteColour(d.Slice(4, 4), colour, alpha);
        (d[8], d[9], d[10], d[11]) = (thickness, 0, 0, 0);
    }

    /// <summary>Black text on light chips, white on dark ones (luma of the chip colour).</summary>
    private static int TextColourOn(int rgb) =>
        0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF) > 150 ? 0x000000 : 0xFFFFFF;
}
