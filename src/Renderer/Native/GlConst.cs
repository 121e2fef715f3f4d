namespace RealtimeSeg.Renderer.Native;

/// <summary>The OpenGL enum values the renderer uses (values from the Khronos registry's gl.xml).</summary>
public static class GlConst
{
    public const uint NoError = 0, InvalidEnum = 0x0500, InvalidValue = 0x0501, InvalidOperation = 0x0502, OutOfMemory = 0x0505, InvalidFramebufferOperation = 0x0506;
    public const uint Vendor = 0x1F00, Renderer = 0x1F01, Version = 0x1F02, ShadingLanguageVersion = 0x8B8C;

    public const uint Blend = 0x0BE2, DepthTest = 0x0B71, CullFace = 0x0B44, ScissorTest = 0x0C11, StencilTest = 0x0B90, FramebufferSrgb = 0x8DB9;
    public const uint SrcAlpha = 0x0302, OneMinusSrcAlpha = 0x0303, One = 1, Zero = 0, FuncAdd = 0x8006;
    public const uint BlendSrcRgb = 0x80C9, BlendDstRgb = 0x80C8, BlendSrcAlpha = 0x80CB, BlendDstAlpha = 0x80CA, BlendEquationRgb = 0x8009, BlendEquationAlpha = 0x883D;
    public const uint ViewportParam = 0x0BA2, ScissorBox = 0x0C10, ColorWritemask = 0x0C23, ColorClearValue = 0x0C22;
    public const uint ColorBufferBit = 0x4000, DepthBufferBit = 0x0100;

    public const uint Texture2D = 0x0DE1, Texture2DArray = 0x8C1A, Texture0 = 0x84C0;
    public const uint TextureBinding2D = 0x8069, TextureBinding2DArray = 0x8C1D, ActiveTextureParam = 0x84E0;
    public const uint TextureMinFilter = 0x2801, TextureMagFilter = 0x2800, TextureWrapS = 0x2802, TextureWrapT = 0x2803, TextureBorderColor = 0x1004;
    public const uint TextureSwizzleR = 0x8E42, TextureSwizzleG = 0x8E43, TextureSwizzleB = 0x8E44, TextureSwizzleA = 0x8E45;
    public const int Nearest = 0x2600, Linear = 0x2601, ClampToEdge = 0x812F, ClampToBorder = 0x812D;
    public const int Red = 0x1903, Rgb = 0x1907, Rgba = 0x1908, Bgr = 0x80E0, Bgra = 0x80E1;
    public const int R8 = 0x8229, R32F = 0x822E, Rgb8 = 0x8051, Rgba8 = 0x8058;
    public const uint UnsignedByte = 0x1401, Float = 0x1406;
    public const uint UnpackAlignment = 0x0CF5, UnpackRowLength = 0x0CF2, PackAlignment = 0x0D05, PackRowLength = 0x0D02;
    public const uint UnpackSkipPixels = 0x0CF4, UnpackSkipRows = 0x0CF3, UnpackImageHeight = 0x806E, UnpackSkipImages = 0x806D;

    public const uint ArrayBuffer = 0x8892, PixelUnpackBuffer = 0x88EC, PixelPackBuffer = 0x88EB;
    public const uint ArrayBufferBinding = 0x8894, PixelUnpackBufferBinding = 0x88EF, PixelPackBufferBinding = 0x88ED, VertexArrayBinding = 0x85B5;
    public const uint StreamDraw = 0x88E0, DynamicDraw = 0x88E8, StreamRead = 0x88E1, StaticDraw = 0x88E4;
    public const uint MapWriteBit = 0x0002, MapReadBit = 0x0001, MapInvalidateBufferBit = 0x0008;

    public const uint Triangles = 0x0004, TriangleStrip = 0x0005;
    public const uint VertexShader = 0x8B31, FragmentShader = 0x8B30, CompileStatus = 0x8B81, LinkStatus = 0x8B82, InfoLogLength = 0x8B84;
    public const uint CurrentProgram = 0x8B8D;

    public const uint Framebuffer = 0x8D40, ReadFramebuffer = 0x8CA8, DrawFramebuffer = 0x8CA9, ColorAttachment0 = 0x8CE0, FramebufferComplete = 0x8CD5;
    public const uint DrawFramebufferBinding = 0x8CA6, ReadFramebufferBinding = 0x8CAA;

    public const uint SyncGpuCommandsComplete = 0x9117, SyncFlushCommandsBit = 0x00000001;
    public const uint AlreadySignaled = 0x911A, TimeoutExpired = 0x911B, ConditionSatisfied = 0x911C, WaitFailed = 0x911D;
    public const uint TimeElapsed = 0x88BF, QueryResult = 0x8866, QueryResultAvailable = 0x8867;

    public const uint DebugOutput = 0x92E0, DebugOutputSynchronous = 0x8242;
    public const uint DebugSeverityHigh = 0x9146, DebugSeverityMedium = 0x9147, DebugSeverityLow = 0x9148, DebugSeverityNotification = 0x826B;

    public static string ErrorName(uint error) => error switch
    {
        InvalidEnum => "GL_INVALID_ENUM",
        InvalidValue => "GL_INVALID_VALUE",
        InvalidOperation => "GL_INVALID_OPERATION",
        OutOfMemory => "GL_OUT_OF_MEMORY",
        InvalidFramebufferOperation => "GL_INVALID_FRAMEBUFFER_OPERATION",
        _ => $"0x{error:X4}",
    };
}
