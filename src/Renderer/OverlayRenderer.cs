using System.Globalization;
using RealtimeSeg.Renderer.Graphics;
using RealtimeSeg.Renderer.Native;
using RealtimeSeg.Renderer.Text;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;
using Silk.NET.OpenGL;
using GLPixelFormat = Silk.NET.OpenGL.PixelFormat;
using PixelFormat = RealtimeSeg.Runtime.Imaging.PixelFormat;

namespace RealtimeSeg.Renderer;

/// <summary>
/// The embeddable core: draws a frame and its instances (masks, outlines, boxes, labels, HUD) into whatever
/// framebuffer is bound, inside a viewport, with shaders. It saves and restores every piece of GL state it
/// touches, so a host engine is undisturbed; it has no window and no thread. Create, draw and dispose it on
/// the thread where its GL context is current.
/// <code>
/// using var overlay = new OverlayRenderer(gl);           // the host's Silk.NET GL; its 3.3 core context current
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
    private readonly GL _gl;
    private readonly GlObjects _objects;
    private readonly ShaderProgram _frameProgram, _maskProgram, _rectProgram;
    private readonly uint _maskVao, _rectVao, _maskBuffer, _rectBuffer;
    private readonly uint _frameTexture, _rawMaskTexture, _bitmapMaskTexture;
    private readonly Dictionary<int, (GlyphAtlas Atlas, uint Texture)> _fonts = []; // by pixel size: baked once each
    private ScreenRect[] _taken = new ScreenRect[33]; // the HUD and the chips placed so far this frame
    private readonly uint[] _pixelBuffers = new uint[2];
    private readonly uint[] _queries = new uint[4];
    private readonly ColourTracker _tracker = new();
    private float[] _maskData = new float[MaskFloats * 32];
    private float[] _rectData = new float[RectFloats * 128];
    private float[] _glyphData = new float[RectFloats * 512];
    private float[] _hudGlyphData = new float[RectFloats * 128];
    private int[] _colours = new int[32];
    private readonly char[] _text = new char[128];
    private int _frameWidth, _frameHeight, _frameInternalFormat, _pixelBufferSize, _nextPixelBuffer;
    private int _rawLayers, _bitmapLayers, _bitmapLayerWidth, _bitmapLayerHeight;
    private long _lastUploadedFrameId = -1, _lastUploadedGeneration = -1;
    private Frame? _lastUploadedFrame;
    private long _lastTrackedSequence = -1;
    private int _queryIndex, _queriesIssued;
    private int _disposed;

    /// <param name="gl">The GL of the context to draw in (a host not on Silk.NET makes one with
    /// <c>GL.GetApi(getProcAddress)</c>); that context must be current on this thread, now and for every call.</param>
    public OverlayRenderer(GL gl)
    {
        ArgumentNullException.ThrowIfNull(gl);
        _gl = gl;
        if (gl.GetInteger(GetPName.MajorVersion) * 10 + gl.GetInteger(GetPName.MinorVersion) < 33)
        {
            throw new RendererException($"OverlayRenderer needs OpenGL 3.3 or newer; the current context is {gl.GetStringS(StringName.Version)}");
        }
        _objects = new GlObjects(gl);
        var saved = GlStateSnapshot.Capture(gl);
        try
        {
            _frameProgram = _objects.Program("frame");
            _maskProgram = _objects.Program("mask");
            _rectProgram = _objects.Program("rect");
            _maskBuffer = _objects.Buffer();
            _rectBuffer = _objects.Buffer();
            _maskVao = CreateInstanceArray(_maskBuffer, MaskFloats, [4, 4, 4, 1]);
            _rectVao = CreateInstanceArray(_rectBuffer, RectFloats, [4, 4, 4]);
            _frameTexture = CreateTexture(TextureTarget.Texture2D, GLEnum.Linear);
            _rawMaskTexture = CreateTexture(TextureTarget.Texture2DArray, GLEnum.Nearest);
            _bitmapMaskTexture = CreateTexture(TextureTarget.Texture2DArray, GLEnum.Nearest);
            Font(FontPixels(OverlayOptions.Default.TextScale)); // the default size, baked now rather than at the first draw
            _pixelBuffers[0] = _objects.Buffer();
            _pixelBuffers[1] = _objects.Buffer();
            for (int i = 0; i < _queries.Length; i++)
            {
                _queries[i] = _objects.Query();
            }
            GlErrors.Check(gl, "creating the overlay's GL objects");
        }
        catch
        {
            _objects.Delete();
            throw;
        }
        finally
        {
            saved.Restore(gl);
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
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(instances);
        options ??= OverlayOptions.Default;
        GlDeletions.Flush(_gl); // names other threads' Dispose calls queued for this context
        if (viewport.Width <= 0 || viewport.Height <= 0)
        {
            return;
        }
        var saved = options.RestoreHostState ? GlStateSnapshot.Capture(_gl) : default;
        try
        {
            var layout = Letterbox(frame.Width, frame.Height, viewport);
            AssignColours(instances, options, sequence);
            bool timing = options.MeasureGpuTime;
            if (timing)
            {
                _gl.BeginQuery(GLEnum.TimeElapsed, _queries[_queryIndex]);
            }
            _gl.Viewport(viewport.X, viewport.Y, (uint)viewport.Width, (uint)viewport.Height);
            // The declared state the overlay draws with: everything else a host may have set is irrelevant to it.
            _gl.Disable(EnableCap.DepthTest);
            _gl.Disable(EnableCap.CullFace);
            _gl.Disable(EnableCap.ScissorTest);
            _gl.Disable(EnableCap.StencilTest);
            _gl.Disable(EnableCap.FramebufferSrgb);
            _gl.ColorMask(true, true, true, true);
            _gl.BindSampler(0, 0);
            _gl.BindSampler(1, 0);
            _gl.BlendFuncSeparate(GLEnum.SrcAlpha, GLEnum.OneMinusSrcAlpha, GLEnum.One, GLEnum.OneMinusSrcAlpha);
            _gl.BlendEquationSeparate(GLEnum.FuncAdd, GLEnum.FuncAdd);
            if (options.Frame)
            {
                _gl.Disable(GLEnum.Blend);
                DrawFrame(frame, viewport, layout, options);
            }
            _gl.Enable(GLEnum.Blend);
            if (options.Masks && instances.MaskKind != MaskKind.None)
            {
                DrawMasks(instances, viewport, layout, options, frame.Width, frame.Height);
            }
            DrawRectanglesAndText(instances, viewport, layout, options, hud, frame);
            if (timing)
            {
                _gl.EndQuery(GLEnum.TimeElapsed);
                CollectTiming();
            }
            GlErrors.Check(_gl, "OverlayRenderer.Draw");
        }
        finally
        {
            if (options.RestoreHostState)
            {
                saved.Restore(_gl);
            }
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
        _gl.Uniform2(program.Uniform("uViewportOrigin"), (float)viewport.X, (float)viewport.Y);
        _gl.Uniform2(program.Uniform("uViewportSize"), (float)viewport.Width, (float)viewport.Height);
        _gl.Uniform2(program.Uniform("uContentOffset"), (float)layout.OffsetX, (float)layout.OffsetY);
        _gl.Uniform1(program.Uniform("uScale"), layout.Scale);
    }

    private void DrawFrame(Frame frame, Viewport viewport, Layout layout, OverlayOptions options)
    {
        UploadFrame(frame, options.UsePixelBuffers);
        _gl.UseProgram(_frameProgram.Handle);
        SetCommonUniforms(_frameProgram, viewport, layout);
        _gl.Uniform2(_frameProgram.Uniform("uFrameSize"), (float)frame.Width, (float)frame.Height);
        _gl.Uniform1(_frameProgram.Uniform("uFrame"), 0);
        _gl.Uniform1(_frameProgram.Uniform("uSwapRedBlue"), frame.Format is PixelFormat.Bgr24 or PixelFormat.Bgra32 ? 1 : 0);
        _gl.ActiveTexture(GLEnum.Texture0);
        _gl.BindTexture(GLEnum.Texture2D, _frameTexture);
        _gl.BindVertexArray(_rectVao); // any VAO: the quad comes from gl_VertexID
        _gl.DrawArrays(GLEnum.TriangleStrip, 0, 4);
    }

    /// <summary>
    /// Uploads the frame's pixels into a texture allocated once per size and updated in place (re-allocating
    /// every frame stalls drivers), optionally through two pixel-unpack buffers used in turn so the copy from
    /// our memory does not wait for the GPU's read of the previous frame. Skipped when the frame is unchanged.
    /// </summary>
    private void UploadFrame(Frame frame, bool usePixelBuffers)
    {
        // The same frame object, handed out once (generation), with the same id: its pixels are on the GPU already.
        if (ReferenceEquals(frame, _lastUploadedFrame) && frame.Id == _lastUploadedFrameId && frame.Generation == _lastUploadedGeneration)
        {
            return;
        }
        int bpp = frame.Format.BytesPerPixel();
        var format = bpp == 4 ? GLPixelFormat.Rgba : GLPixelFormat.Rgb;
        var internalFormat = bpp == 4 ? InternalFormat.Rgba8 : InternalFormat.Rgb8;
        _gl.ActiveTexture(GLEnum.Texture0);
        _gl.BindTexture(GLEnum.Texture2D, _frameTexture);
        _gl.PixelStore(GLEnum.UnpackAlignment, 1);
        _gl.PixelStore(GLEnum.UnpackRowLength, frame.Stride / bpp);
        if (frame.Width != _frameWidth || frame.Height != _frameHeight || (int)internalFormat != _frameInternalFormat)
        {
            _gl.BindBuffer(GLEnum.PixelUnpackBuffer, 0);
            _gl.TexImage2D(TextureTarget.Texture2D, 0, internalFormat, (uint)frame.Width, (uint)frame.Height, 0, format, PixelType.UnsignedByte, null);
            (_frameWidth, _frameHeight, _frameInternalFormat) = (frame.Width, frame.Height, (int)internalFormat);
        }
        var pixels = frame.Pixels;
        if (usePixelBuffers)
        {
            uint buffer = _pixelBuffers[_nextPixelBuffer];
            _nextPixelBuffer ^= 1;
            _gl.BindBuffer(GLEnum.PixelUnpackBuffer, buffer);
            if (pixels.Length > _pixelBufferSize)
            {
                _pixelBufferSize = pixels.Length;
                _gl.BindBuffer(GLEnum.PixelUnpackBuffer, _pixelBuffers[0]);
                _gl.BufferData(GLEnum.PixelUnpackBuffer, (nuint)pixels.Length, null, GLEnum.StreamDraw);
                _gl.BindBuffer(GLEnum.PixelUnpackBuffer, _pixelBuffers[1]);
                _gl.BufferData(GLEnum.PixelUnpackBuffer, (nuint)pixels.Length, null, GLEnum.StreamDraw);
                _gl.BindBuffer(GLEnum.PixelUnpackBuffer, buffer);
            }
            void* mapped = _gl.MapBufferRange(GLEnum.PixelUnpackBuffer, 0, (nuint)pixels.Length, MapBufferAccessMask.WriteBit | MapBufferAccessMask.InvalidateBufferBit);
            if (mapped == null)
            {
                throw new RendererException("glMapBufferRange returned null for the frame upload buffer");
            }
            pixels.CopyTo(new Span<byte>(mapped, pixels.Length));
            _gl.UnmapBuffer(GLEnum.PixelUnpackBuffer);
            _gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, (uint)frame.Width, (uint)frame.Height, format, PixelType.UnsignedByte, null);
            _gl.BindBuffer(GLEnum.PixelUnpackBuffer, 0);
        }
        else
        {
            _gl.BindBuffer(GLEnum.PixelUnpackBuffer, 0);
            fixed (byte* p = pixels)
            {
                _gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, (uint)frame.Width, (uint)frame.Height, format, PixelType.UnsignedByte, p);
            }
        }
        _gl.PixelStore(GLEnum.UnpackRowLength, 0);
        (_lastUploadedFrame, _lastUploadedFrameId, _lastUploadedGeneration) = (frame, frame.Id, frame.Generation);
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

    private void DrawMasks(InstanceSet instances, Viewport viewport, Layout layout, OverlayOptions options, int frameWidth, int frameHeight)
    {
        bool raw = instances.MaskKind == MaskKind.Raw;
        uint texture = raw ? _rawMaskTexture : _bitmapMaskTexture;
        _gl.ActiveTexture(GLEnum.Texture0);
        _gl.BindTexture(GLEnum.Texture2DArray, texture);
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
        _gl.UseProgram(_maskProgram.Handle);
        SetCommonUniforms(_maskProgram, viewport, layout);
        _gl.Uniform1(_maskProgram.Uniform("uMasks"), 0);
        _gl.Uniform1(_maskProgram.Uniform("uRawMasks"), raw ? 1 : 0);
        _gl.Uniform1(_maskProgram.Uniform("uMaskSize"), raw ? instances.RawMaskSize : 0);
        _gl.Uniform1(_maskProgram.Uniform("uFillAlpha"), options.MaskAlpha);
        _gl.Uniform1(_maskProgram.Uniform("uOutlineFramePixels"), options.Outlines ? Math.Max(1f, options.OutlinePixels / layout.Scale) : 0f);
        _gl.Uniform2(_maskProgram.Uniform("uFrameSize"), (float)frameWidth, (float)frameHeight);
        Upload(_maskBuffer, _maskData, count * MaskFloats);
        _gl.BindVertexArray(_maskVao);
        _gl.DrawArraysInstanced(PrimitiveType.TriangleStrip, 0, 4, (uint)count);
    }

    private void UploadRawMasks(InstanceSet instances)
    {
        int m = instances.RawMaskSize;
        if (instances.Count > _rawLayers)
        {
            _rawLayers = Math.Max(instances.Count, Math.Max(16, _rawLayers * 2));
            _gl.TexImage3D(TextureTarget.Texture2DArray, 0, InternalFormat.R32f, (uint)m, (uint)m, (uint)_rawLayers, 0, GLPixelFormat.Red, PixelType.Float, null);
        }
        _gl.BindBuffer(GLEnum.PixelUnpackBuffer, 0);
        _gl.PixelStore(GLEnum.UnpackAlignment, 4);
        _gl.PixelStore(GLEnum.UnpackRowLength, 0);
        fixed (float* p = instances.RawMasks)
        {
            _gl.TexSubImage3D(TextureTarget.Texture2DArray, 0, 0, 0, 0, (uint)m, (uint)m, (uint)instances.Count, GLPixelFormat.Red, PixelType.Float, p);
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
            _gl.TexImage3D(TextureTarget.Texture2DArray, 0, InternalFormat.R8, (uint)_bitmapLayerWidth, (uint)_bitmapLayerHeight, (uint)_bitmapLayers, 0, GLPixelFormat.Red, PixelType.UnsignedByte, null);
        }
        _gl.BindBuffer(GLEnum.PixelUnpackBuffer, 0);
        _gl.PixelStore(GLEnum.UnpackAlignment, 1);
        _gl.PixelStore(GLEnum.UnpackRowLength, 0);
        for (int i = 0; i < instances.Count; i++)
        {
            var bitmap = instances.StoredBitmap(i);
            if (bitmap.Bounds.IsEmpty)
            {
                continue;
            }
            fixed (byte* p = bitmap.Data)
            {
                _gl.TexSubImage3D(TextureTarget.Texture2DArray, 0, 0, 0, i, (uint)bitmap.Bounds.Width, (uint)bitmap.Bounds.Height, 1, GLPixelFormat.Red, PixelType.UnsignedByte, p);
            }
        }
    }

    /// <summary>Label text size in pixels for a text scale (2 → 14-pixel DejaVu Sans, the old 5x7 font's height at 2).</summary>
    private static int FontPixels(int scale) => 7 * Math.Max(1, scale);

    /// <summary>The atlas of one text size and its texture, baked the first time that size is drawn.</summary>
    private (GlyphAtlas Atlas, uint Texture) Font(int pixels)
    {
        if (!_fonts.TryGetValue(pixels, out var font))
        {
            var atlas = GlyphAtlas.Bake(pixels);
            uint texture = CreateTexture(TextureTarget.Texture2D, GLEnum.Nearest);
            _gl.PixelStore(GLEnum.UnpackAlignment, 1);
            _gl.PixelStore(GLEnum.UnpackRowLength, 0);
            _gl.BindBuffer(GLEnum.PixelUnpackBuffer, 0);
            fixed (byte* p = atlas.Pixels)
            {
                _gl.TexImage2D(TextureTarget.Texture2D, 0, InternalFormat.R8, (uint)atlas.Width, (uint)atlas.Height, 0, GLPixelFormat.Red, PixelType.UnsignedByte, p);
            }
            _fonts[pixels] = font = (atlas, texture);
        }
        return font;
    }

    private void DrawRectanglesAndText(InstanceSet instances, Viewport viewport, Layout layout, OverlayOptions options, HudInfo hud, Frame frame)
    {
        int rects = 0, glyphs = 0, hudGlyphs = 0, taken = 0;
        EnsureCapacity(ref _rectData, (instances.Count * 2 + 8) * RectFloats);
        if (_taken.Length < instances.Count + 1)
        {
            Array.Resize(ref _taken, instances.Count + 1);
        }
        // The picture: where the frame is drawn inside the viewport (letterboxed), y up.
        float cx0 = viewport.X + layout.OffsetX, cx1 = cx0 + frame.Width * layout.Scale;
        float cy1 = viewport.Y + viewport.Height - layout.OffsetY, cy0 = cy1 - frame.Height * layout.Scale;
        var picture = new ScreenRect(cx0, cy0, cx1, cy1);
        if (options.Frame)
        {
            // Letterbox bars: the viewport outside the frame is black, like any video player.
            rects = AddRect(rects, viewport.X, viewport.Y, cx0, viewport.Y + viewport.Height, 0x000000, 1f, 0);
            rects = AddRect(rects, cx1, viewport.Y, viewport.X + viewport.Width, viewport.Y + viewport.Height, 0x000000, 1f, 0);
            rects = AddRect(rects, viewport.X, viewport.Y, viewport.X + viewport.Width, cy0, 0x000000, 1f, 0);
            rects = AddRect(rects, viewport.X, cy1, viewport.X + viewport.Width, viewport.Y + viewport.Height, 0x000000, 1f, 0);
        }
        var labelFont = Font(FontPixels(options.TextScale));
        var hudFont = labelFont;
        if (options.Hud)
        {
            // First, so the chips know where it is.
            (rects, hudGlyphs, hudFont, _taken[taken++]) = AddHud(rects, viewport, hud, options.TextScale);
        }
        for (int i = 0; i < instances.Count; i++)
        {
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
                var atlas = labelFont.Atlas;
                float chipW = atlas.Measure(_text.AsSpan(0, length)) + 2 * LabelPadding;
                float chipH = atlas.LineHeight + 2 * LabelPadding;
                var chip = LabelLayout.Place(left, top, chipW, chipH, picture, _taken.AsSpan(0, taken));
                _taken[taken++] = chip;
                rects = AddRect(rects, chip.X0, chip.Y0, chip.X1, chip.Y1, _colours[i], 0.85f, 0);
                glyphs = AddText(ref _glyphData, glyphs, _text.AsSpan(0, length), chip.X0 + LabelPadding, chip.Y0 + LabelPadding, atlas, TextColourOn(_colours[i]));
            }
        }
        if (rects == 0 && glyphs == 0 && hudGlyphs == 0)
        {
            return;
        }
        _gl.UseProgram(_rectProgram.Handle);
        SetCommonUniforms(_rectProgram, viewport, layout);
        _gl.Uniform1(_rectProgram.Uniform("uFont"), 1);
        _gl.BindVertexArray(_rectVao);
        if (rects > 0)
        {
            _gl.Uniform1(_rectProgram.Uniform("uMode"), 0);
            Upload(_rectBuffer, _rectData, rects * RectFloats);
            _gl.DrawArraysInstanced(PrimitiveType.TriangleStrip, 0, 4, (uint)rects);
        }
        _gl.Uniform1(_rectProgram.Uniform("uMode"), 1);
        DrawGlyphs(_glyphData, glyphs, labelFont.Texture);
        DrawGlyphs(_hudGlyphData, hudGlyphs, hudFont.Texture);
    }

    private void DrawGlyphs(float[] data, int count, uint texture)
    {
        if (count == 0)
        {
            return;
        }
        _gl.ActiveTexture(TextureUnit.Texture1);
        _gl.BindTexture(TextureTarget.Texture2D, texture);
        Upload(_rectBuffer, data, count * RectFloats);
        _gl.DrawArraysInstanced(PrimitiveType.TriangleStrip, 0, 4, (uint)count);
    }

    private (int Rects, int Glyphs, (GlyphAtlas Atlas, uint Texture) Font, ScreenRect Panel) AddHud(int rects, Viewport viewport, HudInfo hud, int scale)
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
        var font = Font(FontPixels(scale));
        while (scale > 1 && font.Atlas.Measure(t[..n]) + 4 * LabelPadding + 8 > viewport.Width)
        {
            font = Font(FontPixels(--scale));
        }
        float w = font.Atlas.Measure(t[..n]) + 4 * LabelPadding;
        float h = font.Atlas.LineHeight + 4 * LabelPadding;
        float x = viewport.X + 4, y = viewport.Y + viewport.Height - 4 - h;
        rects = AddRect(rects, x, y, x + w, y + h, 0x000000, 0.6f, 0);
        int glyphs = AddText(ref _hudGlyphData, 0, t[..n], x + 2 * LabelPadding, y + 2 * LabelPadding, font.Atlas, 0xFFFFFF);
        return (rects, glyphs, font, new ScreenRect(x, y, x + w, y + h));
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

    /// <summary>One instance per visible glyph: its atlas cell drawn 1:1 with the pen on a baseline <see cref="GlyphAtlas.Descent"/> above <paramref name="y"/>.</summary>
    private static int AddText(ref float[] data, int glyphs, ReadOnlySpan<char> text, float x, float y, GlyphAtlas atlas, int colour)
    {
        EnsureCapacity(ref data, (glyphs + text.Length) * RectFloats);
        float baseline = y + atlas.Descent;
        foreach (char c in text)
        {
            var g = atlas[c];
            if (g.Width > 0)
            {
                var d = data.AsSpan(glyphs++ * RectFloats, RectFloats);
                float x0 = x + g.Left, y1 = baseline + g.Top;
                (d[0], d[1], d[2], d[3]) = (x0, y1 - g.Height, x0 + g.Width, y1);
                WriteColour(d.Slice(4, 4), colour, 1f);
                (d[8], d[9], d[10], d[11]) = (g.X, g.Y, 1, 1);
            }
            x += g.Advance;
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

    private void Upload(uint buffer, float[] data, int floats)
    {
        _gl.BindBuffer(GLEnum.ArrayBuffer, buffer);
        fixed (float* p = data)
        {
            // Orphan then fill: the driver hands a fresh store instead of waiting for last frame's draw.
            _gl.BufferData(GLEnum.ArrayBuffer, (nuint)(floats * sizeof(float)), null, GLEnum.StreamDraw);
            _gl.BufferSubData(GLEnum.ArrayBuffer, 0, (nuint)(floats * sizeof(float)), p);
        }
    }

    private void CollectTiming()
    {
        _queriesIssued++;
        _queryIndex = (_queryIndex + 1) % _queries.Length;
        // The oldest query in the ring was issued 3 frames ago: read it only if ready, never wait.
        if (_queriesIssued >= _queries.Length && _gl.GetQueryObject(_queries[_queryIndex], QueryObjectParameterName.ResultAvailable) != 0)
        {
            _gl.GetQueryObject(_queries[_queryIndex], QueryObjectParameterName.Result, out ulong nanoseconds);
            LastPassMs = nanoseconds / 1e6;
        }
    }

    /// <summary>Blocks until the GPU has finished the passes issued so far and reads their time (benchmarks only).</summary>
    public double WaitForPassTimes()
    {
        _gl.Finish();
        int last = (_queryIndex + _queries.Length - 1) % _queries.Length;
        if (_queriesIssued == 0)
        {
            return 0;
        }
        _gl.GetQueryObject(_queries[last], QueryObjectParameterName.Result, out ulong nanoseconds);
        return LastPassMs = nanoseconds / 1e6;
    }

    private uint CreateInstanceArray(uint buffer, int floatsPerInstance, int[] attributeSizes)
    {
        uint vao = _objects.VertexArray();
        _gl.BindVertexArray(vao);
        _gl.BindBuffer(GLEnum.ArrayBuffer, buffer);
        int offset = 0;
        for (uint a = 0; a < attributeSizes.Length; a++)
        {
            _gl.EnableVertexAttribArray(a);
            _gl.VertexAttribPointer(a, attributeSizes[a], VertexAttribPointerType.Float, false, (uint)(floatsPerInstance * sizeof(float)), (void*)(offset * sizeof(float)));
            _gl.VertexAttribDivisor(a, 1);
            offset += attributeSizes[a];
        }
        return vao;
    }

    private uint CreateTexture(TextureTarget target, GLEnum filter)
    {
        uint texture = _objects.Texture();
        _gl.ActiveTexture(GLEnum.Texture0);
        _gl.BindTexture(target, texture);
        _gl.TexParameter(target, TextureParameterName.TextureMinFilter, (int)filter);
        _gl.TexParameter(target, TextureParameterName.TextureMagFilter, (int)filter);
        _gl.TexParameter(target, TextureParameterName.TextureWrapS, (int)GLEnum.ClampToEdge);
        _gl.TexParameter(target, TextureParameterName.TextureWrapT, (int)GLEnum.ClampToEdge);
        return texture;
    }

    /// <summary>
    /// Deletes the GL objects: now when called on the GL thread, else at the context's next draw or
    /// <see cref="GlDeletions.Flush"/> there. A second call does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _objects.Delete();
    }
}
