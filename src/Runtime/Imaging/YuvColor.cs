namespace RealtimeSeg.Runtime.Imaging;

/// <summary>The RGB primaries' weights a YUV stream was encoded with.</summary>
public enum YuvMatrix
{
    /// <summary>ITU-R BT.601: standard-definition video, JPEG and most webcams.</summary>
    Bt601,
    /// <summary>ITU-R BT.709: HD video.</summary>
    Bt709,
}

/// <summary>
/// How a YUV frame's bytes map to RGB: the matrix, and whether luma spans 16-235 and chroma 16-240 (limited,
/// "TV" range, what video codecs use) or all of 0-255 (full range: JPEG, MJPEG cameras). The default is BT.601
/// limited, FFmpeg's assumption for an untagged standard-definition stream.
/// </summary>
public readonly record struct YuvColor(YuvMatrix Matrix, bool FullRange)
{
    /// <summary>
    /// The matrix FFmpeg and players assume when a stream does not say: BT.709 from 720 rows up, BT.601 below.
    /// </summary>
    public static YuvMatrix MatrixForUntagged(int height) => height >= 720 ? YuvMatrix.Bt709 : YuvMatrix.Bt601;

    /// <summary>The affine map from (Y, U, V) bytes to (R, G, B) on 0-255, for the CPU transform and the shader.</summary>
    public YuvToRgb Coefficients()
    {
        // Kr and Kb of the matrix; the rest follows (e.g. R = Y + 2(1 - Kr) Cr).
        var (kr, kb) = Matrix == YuvMatrix.Bt709 ? (0.2126, 0.0722) : (0.299, 0.114);
        double kg = 1 - kr - kb;
        double lumaScale = FullRange ? 1 : 255.0 / 219.0;
        double chromaScale = FullRange ? 1 : 255.0 / 224.0;
        return new YuvToRgb(
            LumaScale: (float)lumaScale,
            LumaOffset: FullRange ? 0f : 16f,
            CrToRed: (float)(2 * (1 - kr) * chromaScale),
            CbToGreen: (float)(2 * (1 - kb) * kb / kg * chromaScale),
            CrToGreen: (float)(2 * (1 - kr) * kr / kg * chromaScale),
            CbToBlue: (float)(2 * (1 - kb) * chromaScale));
    }
}

/// <summary>
/// R = s(Y - o) + CrToRed (V - 128); G = s(Y - o) - CbToGreen (U - 128) - CrToGreen (V - 128);
/// B = s(Y - o) + CbToBlue (U - 128); each clamped to 0-255 as FFmpeg's converter does.
/// </summary>
public readonly record struct YuvToRgb(float LumaScale, float LumaOffset, float CrToRed, float CbToGreen, float CrToGreen, float CbToBlue);
