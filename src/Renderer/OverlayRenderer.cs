using System.Globalization;
using RealtimeSeg.Renderer.Graphics;
using RealtimeSeg.Renderer.Native;
using RealtimeSeg.Renderer.Text;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;
using G = RealtimeSeg.Renderer.Native.Gl;

namespace RealtimeSeg.Renderer;

/// <summary>
/// The embeddable core: draws a frame and its instances (masks, outlines, boxes, labels, HUD) into whatever
/// framebuffer is bound, inside a viewport, with shaders. It saves and restores every piece of GL state it
/// touches, so a host engine is undisturbed; it has no window and no thread. Create, draw and dispose it on
/// the thread where its GL context is current.
/// <code>
/// using var overlay = new OverlayRenderer();             // a GL 3.3 core context must be current
/// if (pipeline.TryGetLatest(out var result))
///     using (result) overlay.Draw(result, new Viewport(0, 0, width, height));
/// </code>
/// Four draw calls per frame however many instances: frame, masks (instanced, GPU paste), rectangles
/// (boxes, chips, panels; instanced), glyphs (instanced).
/// </summary>
public sealed unsafe class OverlayRenderer : IDisposable
{
    private const int MaskFloats = 13;  // rect 4, paste 4, colour 4, layer 1
    private const int RectFloats = 12;  // rect 4, colour 4, params 4
    private const int LabelPadding = 2;
    private readonly ShaderProgram _frameProgram, _maskProgram, _rectProgram;
    private readonly uint _maskVao, _rectVao, _maskBuffer, _rectBuffer;
    private readonly uint _frameTexture, _rawMaskTexture, _bitmapMaskTexture, _fontTexture;
    private readonly uint[] _pixelBuffers = new uint[2];
    private readonly uint[] _queries = new uint[4];
    private readonly ColourTracker _tracker = new();
    private float[] _maskData = new float[MaskFloats * 32];
    private float[] _rectData = new float[RectFloats * 128];
    private float[] _glyphData = new float[RectFloats * 512];
    private int[] _colours = new int[32];
    private readonly char[] _text = new char[128];
    private int _frameWidth, _frameHeight, _frameInternalFormat, _pixelBufferSize, _nextPixelBuffer;
    private int _rawLayers, _bitmapLayers, _bitmapLayerWidth, _bitmapLayerHeight;
    private long _lastUploadedFrameId = -1;
    private Frame? _lastUploadedFrame;
    private long _lastTrackedSequence = -1;
    private int _queryIndex, _queriesIssued;
    private bool _disposed;

    public OverlayRenderer()
    {
        if (!G.IsLoaded)
        {
            throw new RendererException("OverlayRenderer needs a current OpenGL 3.3 context with Gl.Load(getProcAddress) done first");
        }
        _frameProgram = ShaderProgram.FromEmbedded("frame");
        _maskProgram = ShaderProgram.FromEmbedded("mask");
        _rectProgram = ShaderProgram.FromEmbedded("rect");
        var saved = GlStateSnapshot.Capture();
        try
        {
            _maskBuffer = G.GenBuffer();
            _rectBuffer = G.GenBuffer();
            _maskVao = CreateInstanceArray(_maskBuffer, MaskFloats, [4, 4, 4, 1]);
            _rectVao = CreateInstanceArray(_rectBuffer, RectFloats, [4, 4, 4]);
            _frameTexture = CreateTexture(GlConst.Texture2D, GlConst.Linear);
            _rawMaskTexture = CreateTexture(GlConst.Texture2DArray, GlConst.Nearest);
            _bitmapMaskTexture = CreateTexture(GlConst.Texture2DArray, GlConst.Nearest);
            _fontTexture = CreateTexture(GlConst.Texture2D, GlConst.Nearest);
            var atlas = BitmapFont.BuildAtlas();
            G.PixelStore(GlConst.UnpackAlignment, 1);
            G.PixelStore(GlConst.UnpackRowLength, 0);
            fixed (byte* p = atlas)
            {
                G.TexImage2D(GlConst.Texture2D, 0, GlConst.R8, BitmapFont.AtlasWidth, BitmapFont.AtlasHeight, (uint)GlConst.Red, GlConst.UnsignedByte, p);
            }
            _pixelBuffers[0] = G.GenBuffer();
            _pixelBuffers[1] = G.GenBuffer();
            for (int i = 0; i < _queries.Length; i++)
            {
                _queries[i] = G.GenQuery();
            }
            G.Check("creating the overlay's GL objects");
        }
        finally
        {
            saved.Restore();
        }
    }

    /// <summary>GPU milliseconds of the most recent overlay pass whose timer query has completed (0 until one has).</summary>
    public double LastPassMs { get; private set; }

    /// <summary>Forgets the tracked instances' colours: the next <see cref="Draw(Frame, InstanceSet, Viewport, OverlayOptions?, HudInfo, long)"/> starts a new scene.</summary>
    public void ForgetColours() => _tracker.Reset();

    /// <summary>Draws a pipeline result: its frame and its instances.</summary>
    public void Draw(SegmentationResult result, Viewport viewport, OverlayOptions? options = null, HudInfo hud = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        Draw(result.Frame, result.Instances, viewport, options, hud, result.Sequence);
    }

    /// <summary>
    /// Draws <paramref name="instances"/> over <paramref name="frame"/> (letterboxed into <paramref name="viewport"/>).
    /// <paramref name="sequence"/> identifies the result for colour tracking (drawing one result many times
    /// must not age its colours); -1 treats every call as a new result.
    /// </summary>
    public void Draw(Frame frame, InstanceSet instances, Viewport viewport, OverlayOptions? options = null, HudInfo hud = default, long sequence = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(instances);
        options ??= OverlayOptions.Default;
        if (viewport.Width <= 0 || viewport.Height <= 0)
        {
            return;
        }
        var saved = GlStateSnapshot.Capture();
        try
        {
            var layout = Letterbox(frame.Width, frame.Height, viewport);
            AssignColours(instances, options, sequence);
            bool timing = options.MeasureGpuTime;
            if (timing)
            {
                G.BeginQuery(GlConst.TimeElapsed, _queries[_queryIndex]);
            }
            G.Viewport(viewport.X, viewport.Y, viewport.Width, viewport.Height);
            G.Disable(GlConst.DepthTest);
            G.Disable(GlConst.CullFace);
            G.Disable(GlConst.ScissorTest);
            G.Disable(GlConst.StencilTest);
            G.BlendFuncSeparate(GlConst.SrcAlpha, GlConst.OneMinusSrcAlpha, GlConst.One, GlConst.OneMinusSrcAlpha);
            G.BlendEquationSeparate(GlConst.FuncAdd, GlConst.FuncAdd);
            if (options.Frame)
            {
                G.Disable(GlConst.Blend);
                DrawFrame(frame, viewport, layout, options);
            }
            G.Enable(GlConst.Blend);
            if (options.Masks && instances.MaskKind != MaskKind.None)
            {
                DrawMasks(instances, viewport, layout, options, frame.Width, frame.Height);
            }
            DrawRectanglesAndText(instances, viewport, layout, options, hud, frame);
            if (timing)
            {
                G.EndQuery(GlConst.TimeElapsed);
                CollectTiming();
            }
            G.Check("OverlayRenderer.Draw");
        }
        finally
        {
            saved.Restore();
        }
    }

    internal readonly record struct Layout(float OffsetX, float OffsetY, float Scale);

    /// <summary>Fits the frame inside the viewport keeping its aspect; offsets are whole pixels so edges stay crisp.</summary>
    internal static Layout Letterbox(int frameWidth, int frameHeight, Viewport viewport)
    {
        float scale = Math.Min((float)viewport.Width / frameWidth, (float)viewport.Height / frameHeight);
        return new Layout(MathF.Floor((viewport.Width - frameWidth * scale) / 2), MathF.Floor((viewport.Height - frameHeight * scale) / 2), scale);
    }

    private void SetCommonUniforms(ShaderProgram program, Viewport viewport, Layout layout)
    {
        G.Uniform(program.Uniform("uViewportOrigin"), viewport.X, viewport.Y);
        G.Uniform(program.Uniform("uViewportSize"), viewport.Width, viewport.Height);
        G.Uniform(program.Uniform("uContentOffset"), layout.OffsetX, layout.OffsetY);
        G.Uniform(program.Uniform("uScale"), layout.Scale);
    }

    private void DrawFrame(Frame frame, Viewport viewport, Layout layout, OverlayOptions options)
    {
        UploadFrame(frame, options.UsePixelBuffers);
        G.UseProgram(_frameProgram.Handle);
        SetCommonUniforms(_frameProgram, viewport, layout);
        G.Uniform(_frameProgram.Uniform("uFrameSize"), frame.Width, frame.Height);
        G.Uniform(_frameProgram.Uniform("uFrame"), 0);
        G.Uniform(_frameProgram.Uniform("uSwapRedBlue"), frame.Format == PixelFormat.Rgb24 ? 0 : 1);
        G.ActiveTexture(GlConst.Texture0);
        G.BindTexture(GlConst.Texture2D, _frameTexture);
        G.BindVertexArray(_rectVao); // any VAO: the quad comes from gl_VertexID
        G.DrawArrays(GlConst.TriangleStrip, 0, 4);
    }

    /// <summary>
    /// Uploads the frame's pixels into a texture allocated once per size and updated in place (re-allocating
    /// every frame stalls drivers), optionally through two pixel-unpack buffers used in turn so the copy from
    /// our memory does not wait for the GPU's read of the previous frame. Skipped when the frame is unchanged.
    /// </summary>
    private void UploadFrame(Frame frame, bool usePixelBuffers)
    {
        if (ReferenceEquals(frame, _lastUploadedFrame) && frame.Id == _lastUploadedFrameId)
        {
            return;
        }
        int bpp = frame.Format.BytesPerPixel();
        uint format = (uint)(bpp == 4 ? GlConst.Rgba : GlConst.Rgb);
        int internalFormat = bpp == 4 ? GlConst.Rgba8 : GlConst.Rgb8;
        G.ActiveTexture(GlConst.Texture0);
        G.BindTexture(GlConst.Texture2D, _frameTexture);
        G.PixelStore(GlConst.UnpackAlignment, 1);
        G.PixelStore(GlConst.UnpackRowLength, frame.Stride / bpp);
        if (frame.Width != _frameWidth || frame.Height != _frameHeight || internalFormat != _frameInternalFormat)
        {
            G.BindBuffer(GlConst.PixelUnpackBuffer, 0);
            G.TexImage2D(GlConst.Texture2D, 0, internalFormat, frame.Width, frame.Height, format, GlConst.UnsignedByte, null);
            (_frameWidth, _frameHeight, _frameInternalFormat) = (frame.Width, frame.Height, internalFormat);
        }
        var pixels = frame.Pixels;
        if (usePixelBuffers)
        {
            uint buffer = _pixelBuffers[_nextPixelBuffer];
            _nextPixelBuffer ^= 1;
            G.BindBuffer(GlConst.PixelUnpackBuffer, buffer);
            if (pixels.Length > _pixelBufferSize)
            {
                _pixelBufferSize = pixels.Length;
                G.BindBuffer(GlConst.PixelUnpackBuffer, _pixelBuffers[0]);
                G.BufferData(GlConst.PixelUnpackBuffer, pixels.Length, null, GlConst.StreamDraw);
                G.BindBuffer(GlConst.PixelUnpackBuffer, _pixelBuffers[1]);
                G.BufferData(GlConst.PixelUnpackBuffer, pixels.Length, null, GlConst.StreamDraw);
                G.BindBuffer(GlConst.PixelUnpackBuffer, buffer);
            }
            void* mapped = G.MapBufferRange(GlConst.PixelUnpackBuffer, 0, pixels.Length, GlConst.MapWriteBit | GlConst.MapInvalidateBufferBit);
            if (mapped == null)
            {
                throw new RendererException("glMapBufferRange returned null for the frame upload buffer");
            }
            pixels.CopyTo(new Span<byte>(mapped, pixels.Length));
            G.UnmapBuffer(GlConst.PixelUnpackBuffer);
            G.TexSubImage2D(GlConst.Texture2D, 0, 0, 0, frame.Width, frame.Height, format, GlConst.UnsignedByte, null);
            G.BindBuffer(GlConst.PixelUnpackBuffer, 0);
        }
        else
        {
            G.BindBuffer(GlConst.PixelUnpackBuffer, 0);
            fixed (byte* p = pixels)
            {
                G.TexSubImage2D(GlConst.Texture2D, 0, 0, 0, frame.Width, frame.Height, format, GlConst.UnsignedByte, p);
            }
        }
        G.PixelStore(GlConst.UnpackRowLength, 0);
        (_lastUploadedFrame, _lastUploadedFrameId) = (frame, frame.Id);
    }

    private void AssignColours(InstanceSet instances, OverlayOptions options, long sequence)
    {
        if (_colours.Length < instances.Count)
        {
            _colours = new int[Math.Max(instances.Count, _colours.Length * 2)];
        }
        var palette = options.Palette is { Count: > 0 } p ? p : ColourTracker.DefaultPalette;
        if (options.Colours == ColourMode.PerClass)
        {
            for (int i = 0; i < instances.Count; i++)
            {
                _colours[i] = palette[instances.ClassIds[i] % palette.Count];
            }
            return;
        }
        if (sequence < 0 || sequence != _lastTrackedSequence)
        {
            _tracker.Assign(instances, palette, _colours);
            _lastTrackedSequence = sequence;
        }
    }

    private bool Shown(InstanceSet instances, int i, OverlayOptions options) =>
        instances.Scores[i] >= options.MinScore && (options.Classes is null || options.Classes.Contains(instances.ClassIds[i]));

    private void DrawMasks(InstanceSet instances, Viewport viewport, Layout layout, OverlayOptions options, int frameWidth, int frameHeight)
    {
        bool raw = instances.MaskKind == MaskKind.Raw;
        uint texture = raw ? _rawMaskTexture : _bitmapMaskTexture;
        G.ActiveTexture(GlConst.Texture0);
        G.BindTexture(GlConst.Texture2DArray, texture);
        if (raw)
        {
            UploadRawMasks(instances);
        }
        else
        {
            UploadBitmapMasks(instances);
        }
        int count = 0;
        EnsureCapacity(ref _maskData, instances.Count * MaskFloats);
        for (int i = 0; i < instances.Count; i++)
        {
            if (!Shown(instances, i, options))
            {
                continue;
            }
            int x0, y0, w, h;
            if (raw)
            {
                var (bx0, by0, bx1, by1) = MaskPaste.ExpandedBox(instances.Boxes[i], instances.RawMaskSize);
                (x0, y0, w, h) = (bx0, by0, Math.Max(bx1 - bx0 + 1, 1), Math.Max(by1 - by0 + 1, 1));
            }
            else
            {
                var b = instances.StoredBitmap(i).Bounds;
                (x0, y0, w, h) = (b.X0, b.Y0, b.Width, b.Height);
            }
            // Rasterise the paste rectangle, clipped to the frame, one frame pixel wider for the outline test.
            var d = _maskData.AsSpan(count++ * MaskFloats, MaskFloats);
            d[0] = Math.Max(x0, 0);
            d[1] = Math.Max(y0, 0);
            d[2] = Math.Min(x0 + w, frameWidth);
            d[3] = Math.Min(y0 + h, frameHeight);
            (d[4], d[5], d[6], d[7]) = (x0, y0, w, h);
            WriteColour(d.Slice(8, 4), _colours[i], 1f);
            d[12] = i;
        }
        if (count == 0)
        {
            return;
        }
        G.UseProgram(_maskProgram.Handle);
        SetCommonUniforms(_maskProgram, viewport, layout);
        G.Uniform(_maskProgram.Uniform("uMasks"), 0);
        G.Uniform(_maskProgram.Uniform("uRawMasks"), raw ? 1 : 0);
        G.Uniform(_maskProgram.Uniform("uMaskSize"), raw ? instances.RawMaskSize : 0);
        G.Uniform(_maskProgram.Uniform("uFillAlpha"), options.MaskAlpha);
        G.Uniform(_maskProgram.Uniform("uOutlineFramePixels"), options.Outlines ? Math.Max(1f, options.OutlinePixels / layout.Scale) : 0f);
        G.Uniform(_maskProgram.Uniform("uFrameSize"), frameWidth, frameHeight);
        Upload(_maskBuffer, _maskData, count * MaskFloats);
        G.BindVertexArray(_maskVao);
        G.DrawArraysInstanced(GlConst.TriangleStrip, 0, 4, count);
    }

    private void UploadRawMasks(InstanceSet instances)
    {
        int m = instances.RawMaskSize;
        if (instances.Count > _rawLayers)
        {
            _rawLayers = Math.Max(instances.Count, Math.Max(16, _rawLayers * 2));
            G.TexImage3D(GlConst.Texture2DArray, 0, GlConst.R32F, m, m, _rawLayers, (uint)GlConst.Red, GlConst.Float, null);
        }
        G.BindBuffer(GlConst.PixelUnpackBuffer, 0);
        G.PixelStore(GlConst.UnpackAlignment, 4);
        G.PixelStore(GlConst.UnpackRowLength, 0);
        fixed (float* p = instances.RawMasks)
        {
            G.TexSubImage3D(GlConst.Texture2DArray, 0, 0, 0, 0, m, m, instances.Count, (uint)GlConst.Red, GlConst.Float, p);
        }
    }

    private void UploadBitmapMasks(InstanceSet instances)
    {
        int maxW = 1, maxH = 1;
        for (int i = 0; i < instances.Count; i++)
        {
            var b = instances.StoredBitmap(i).Bounds;
            (maxW, maxH) = (Math.Max(maxW, b.Width), Math.Max(maxH, b.Height));
        }
        if (instances.Count > _bitmapLayers || maxW > _bitmapLayerWidth || maxH > _bitmapLayerHeight)
        {
            _bitmapLayers = Math.Max(instances.Count, Math.Max(_bitmapLayers, 8));
            (_bitmapLayerWidth, _bitmapLayerHeight) = (Math.Max(maxW, _bitmapLayerWidth), Math.Max(maxH, _bitmapLayerHeight));
            G.TexImage3D(GlConst.Texture2DArray, 0, GlConst.R8, _bitmapLayerWidth, _bitmapLayerHeight, _bitmapLayers, (uint)GlConst.Red, GlConst.UnsignedByte, null);
        }
        G.BindBuffer(GlConst.PixelUnpackBuffer, 0);
        G.PixelStore(GlConst.UnpackAlignment, 1);
        G.PixelStore(GlConst.UnpackRowLength, 0);
        for (int i = 0; i < instances.Count; i++)
        {
            var bitmap = instances.StoredBitmap(i);
            if (bitmap.Bounds.IsEmpty)
            {
                continue;
            }
            fixed (byte* p = bitmap.Data)
            {
                G.TexSubImage3D(GlConst.Texture2DArray, 0, 0, 0, i, bitmap.Bounds.Width, bitmap.Bounds.Height, 1, (uint)GlConst.Red, GlConst.UnsignedByte, p);
            }
        }
    }

    private void DrawRectanglesAndText(InstanceSet instances, Viewport viewport, Layout layout, OverlayOptions options, HudInfo hud, Frame frame)
    {
        int rects = 0, glyphs = 0;
        EnsureCapacity(ref _rectData, (instances.Count * 2 + 8) * RectFloats);
        if (options.Frame)
        {
            // Letterbox bars: the viewport outside the frame is black, like any video player.
            float cx0 = viewport.X + layout.OffsetX, cx1 = cx0 + frame.Width * layout.Scale;
            float cy1 = viewport.Y + viewport.Height - layout.OffsetY, cy0 = cy1 - frame.Height * layout.Scale;
            rects = AddRect(rects, viewport.X, viewport.Y, cx0, viewport.Y + viewport.Height, 0x000000, 1f, 0);
            rects = AddRect(rects, cx1, viewport.Y, viewport.X + viewport.Width, viewport.Y + viewport.Height, 0x000000, 1f, 0);
            rects = AddRect(rects, viewport.X, viewport.Y, viewport.X + viewport.Width, cy0, 0x000000, 1f, 0);
            rects = AddRect(rects, viewport.X, cy1, viewport.X + viewport.Width, viewport.Y + viewport.Height, 0x000000, 1f, 0);
        }
        int scale = Math.Max(1, options.TextScale);
        for (int i = 0; i < instances.Count; i++)
        {
            if (!Shown(instances, i, options))
            {
                continue;
            }
            var box = instances.Boxes[i];
            // Window pixels, rounded so the band lands on whole pixels.
            float left = MathF.Round(viewport.X + layout.OffsetX + box.X1 * layout.Scale);
            float right = MathF.Round(viewport.X + layout.OffsetX + box.X2 * layout.Scale);
            float top = MathF.Round(viewport.Y + viewport.Height - layout.OffsetY - box.Y1 * layout.Scale);
            float bottom = MathF.Round(viewport.Y + viewport.Height - layout.OffsetY - box.Y2 * layout.Scale);
            if (options.Boxes)
            {
                rects = AddRect(rects, left, bottom, right, top, _colours[i], 1f, Math.Max(1, options.BoxThickness));
            }
            if (options.Labels)
            {
                int length = LabelText(instances, i, options.Scores);
                float chipW = BitmapFont.MeasureWidth(_text.AsSpan(0, length)) * scale + 2 * LabelPadding;
                float chipH = BitmapFont.GlyphHeight * scale + 2 * LabelPadding;
                float x = Math.Clamp(left, viewport.X, Math.Max(viewport.X, viewport.X + viewport.Width - chipW));
                // Above the box when there is room, else just inside its top edge.
                float y = top + chipH <= viewport.Y + viewport.Height ? top : top - chipH;
                rects = AddRect(rects, x, y, x + chipW, y + chipH, _colours[i], 0.85f, 0);
                glyphs = AddText(glyphs, _text.AsSpan(0, length), x + LabelPadding, y + LabelPadding, scale, TextColourOn(_colours[i]));
            }
        }
        if (options.Hud)
        {
            (rects, glyphs) = AddHud(rects, glyphs, viewport, hud, scale);
        }
        if (rects == 0 && glyphs == 0)
        {
            return;
        }
        G.UseProgram(_rectProgram.Handle);
        SetCommonUniforms(_rectProgram, viewport, layout);
        G.Uniform(_rectProgram.Uniform("uFont"), 1);
        G.ActiveTexture(GlConst.Texture0 + 1);
        G.BindTexture(GlConst.Texture2D, _fontTexture);
        G.BindVertexArray(_rectVao);
        if (rects > 0)
        {
            G.Uniform(_rectProgram.Uniform("uMode"), 0);
            Upload(_rectBuffer, _rectData, rects * RectFloats);
            G.DrawArraysInstanced(GlConst.TriangleStrip, 0, 4, rects);
        }
        if (glyphs > 0)
        {
            G.Uniform(_rectProgram.Uniform("uMode"), 1);
            Upload(_rectBuffer, _glyphData, glyphs * RectFloats);
            G.DrawArraysInstanced(GlConst.TriangleStrip, 0, 4, glyphs);
        }
    }

    private (int Rects, int Glyphs) AddHud(int rects, int glyphs, Viewport viewport, HudInfo hud, int scale)
    {
        // One line, formatted without allocating: "draw 60.0 fps  model 14.2 fps  45 ms  cpu  dropped 3".
        var t = _text.AsSpan();
        int n = 0;
        n += Append(t[n..], "draw ");
        n += Number(t[n..], hud.RenderFps, "0.0");
        n += Append(t[n..], " fps  model ");
        n += Number(t[n..], hud.InferenceFps, "0.0");
        n += Append(t[n..], " fps  ");
        n += Number(t[n..], hud.LatencyMs, "0");
        n += Append(t[n..], " ms  ");
        n += Append(t[n..], hud.Provider ?? "");
        n += Append(t[n..], "  dropped ");
        n += Number(t[n..], hud.Dropped, "0");
        // Smaller text rather than a HUD cut off by a narrow viewport.
        while (scale > 1 && BitmapFont.MeasureWidth(t[..n]) * scale + 4 * LabelPadding + 8 > viewport.Width)
        {
            scale--;
        }
        float w = BitmapFont.MeasureWidth(t[..n]) * scale + 4 * LabelPadding;
        float h = BitmapFont.GlyphHeight * scale + 4 * LabelPadding;
        float x = viewport.X + 4, y = viewport.Y + viewport.Height - 4 - h;
        rects = AddRect(rects, x, y, x + w, y + h, 0x000000, 0.6f, 0);
        glyphs = AddText(glyphs, t[..n], x + 2 * LabelPadding, y + 2 * LabelPadding, scale, 0xFFFFFF);
        return (rects, glyphs);
    }

    private static int Append(Span<char> into, string text)
    {
        int n = Math.Min(text.Length, into.Length);
        text.AsSpan(0, n).CopyTo(into);
        return n;
    }

    private static int Number(Span<char> into, double value, string format) =>
        value.TryFormat(into, out int written, format, CultureInfo.InvariantCulture) ? written : 0;

    /// <summary>"class 0.97" into the text buffer; the name alone when scores are off.</summary>
    private int LabelText(InstanceSet instances, int i, bool scores)
    {
        var t = _text.AsSpan();
        int n = Append(t, instances.ClassName(i));
        if (scores && n < t.Length - 6)
        {
            t[n++] = ' ';
            n += Number(t[n..], instances.Scores[i], "0.00");
        }
        return n;
    }

    private int AddText(int glyphs, ReadOnlySpan<char> text, float x, float y, int scale, int colour)
    {
        EnsureCapacity(ref _glyphData, (glyphs + text.Length) * RectFloats);
        foreach (char c in text)
        {
            if (c != ' ')
            {
                var (cx, cy) = BitmapFont.CellOrigin(c);
                var d = _glyphData.AsSpan(glyphs++ * RectFloats, RectFloats);
                (d[0], d[1], d[2], d[3]) = (x, y, x + BitmapFont.GlyphWidth * scale, y + BitmapFont.GlyphHeight * scale);
                WriteColour(d.Slice(4, 4), colour, 1f);
                (d[8], d[9], d[10], d[11]) = (cx, cy, scale, 1);
            }
            x += BitmapFont.CellWidth * scale;
        }
        return glyphs;
    }

    private int AddRect(int rects, float x0, float y0, float x1, float y1, int colour, float alpha, float thickness)
    {
        if (x1 <= x0 || y1 <= y0)
        {
            return rects;
        }
        EnsureCapacity(ref _rectData, (rects + 1) * RectFloats);
        var d = _rectData.AsSpan(rects * RectFloats, RectFloats);
        (d[0], d[1], d[2], d[3]) = (x0, y0, x1, y1);
        WriteColour(d.Slice(4, 4), colour, alpha);
        (d[8], d[9], d[10], d[11]) = (thickness, 0, 0, 0);
        return rects + 1;
    }

    private static void WriteColour(Span<float> into, int rgb, float alpha)
    {
        into[0] = ((rgb >> 16) & 0xFF) / 255f;
        into[1] = ((rgb >> 8) & 0xFF) / 255f;
        into[2] = (rgb & 0xFF) / 255f;
        into[3] = alpha;
    }

    /// <summary>Black text on light chips, white on dark ones (luma of the chip colour).</summary>
    private static int TextColourOn(int rgb) =>
        0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF) > 150 ? 0x000000 : 0xFFFFFF;

    private static void EnsureCapacity(ref float[] data, int floats)
    {
        if (data.Length < floats)
        {
            Array.Resize(ref data, Math.Max(floats, data.Length * 2));
        }
    }

    private static void Upload(uint buffer, float[] data, int floats)
    {
        G.BindBuffer(GlConst.ArrayBuffer, buffer);
        fixed (float* p = data)
        {
            // Orphan then fill: the driver hands a fresh store instead of waiting for last frame's draw.
            G.BufferData(GlConst.ArrayBuffer, floats * sizeof(float), null, GlConst.StreamDraw);
            G.BufferSubData(GlConst.ArrayBuffer, 0, floats * sizeof(float), p);
        }
    }

    private void CollectTiming()
    {
        _queriesIssued++;
        _queryIndex = (_queryIndex + 1) % _queries.Length;
        // The oldest query in the ring was issued 3 frames ago: read it only if ready, never wait.
        if (_queriesIssued >= _queries.Length && G.IsQueryResultAvailable(_queries[_queryIndex]))
        {
            LastPassMs = G.GetQueryResult(_queries[_queryIndex]) / 1e6;
        }
    }

    /// <summary>Blocks until the GPU has finished the passes issued so far and reads their time (benchmarks only).</summary>
    public double WaitForPassTimes()
    {
        G.Finish();
        int last = (_queryIndex + _queries.Length - 1) % _queries.Length;
        return _queriesIssued > 0 ? LastPassMs = G.GetQueryResult(_queries[last]) / 1e6 : 0;
    }

    private static uint CreateInstanceArray(uint buffer, int floatsPerInstance, int[] attributeSizes)
    {
        uint vao = G.GenVertexArray();
        G.BindVertexArray(vao);
        G.BindBuffer(GlConst.ArrayBuffer, buffer);
        int offset = 0;
        for (uint a = 0; a < attributeSizes.Length; a++)
        {
            G.EnableVertexAttribArray(a);
            G.VertexAttribPointer(a, attributeSizes[a], GlConst.Float, false, floatsPerInstance * sizeof(float), offset * sizeof(float));
            G.VertexAttribDivisor(a, 1);
            offset += attributeSizes[a];
        }
        return vao;
    }

    private static uint CreateTexture(uint target, int filter)
    {
        uint texture = G.GenTexture();
        G.ActiveTexture(GlConst.Texture0);
        G.BindTexture(target, texture);
        G.TexParameter(target, GlConst.TextureMinFilter, filter);
        G.TexParameter(target, GlConst.TextureMagFilter, filter);
        G.TexParameter(target, GlConst.TextureWrapS, GlConst.ClampToEdge);
        G.TexParameter(target, GlConst.TextureWrapT, GlConst.ClampToEdge);
        return texture;
    }

    /// <summary>Deletes the GL objects; call on the thread where the context is current, before destroying it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _frameProgram.Dispose();
        _maskProgram.Dispose();
        _rectProgram.Dispose();
        G.DeleteVertexArray(_maskVao);
        G.DeleteVertexArray(_rectVao);
        G.DeleteBuffer(_maskBuffer);
        G.DeleteBuffer(_rectBuffer);
        G.DeleteBuffer(_pixelBuffers[0]);
        G.DeleteBuffer(_pixelBuffers[1]);
        G.DeleteTexture(_frameTexture);
        G.DeleteTexture(_rawMaskTexture);
        G.DeleteTexture(_bitmapMaskTexture);
        G.DeleteTexture(_fontTexture);
        foreach (uint q in _queries)
        {
            G.DeleteQuery(q);
        }
    }
}
