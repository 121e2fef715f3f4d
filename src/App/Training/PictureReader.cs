using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Imaging;
using SkiaSharp;

namespace RealtimeSeg.App.Training;

/// <summary>How a picture's pixels were turned into the RGB the model trains on.</summary>
internal enum PictureConversion { None, FromGray, FromAlpha, FromPalette }

/// <summary>
/// Decodes the pictures of a dataset (PNG, JPEG, BMP, GIF, WebP: whatever SkiaSharp reads) into RGB24 frames.
/// Grayscale, palette and RGBA pictures are converted (alpha dropped, as PIL's convert("RGB") does); the
/// conversion is reported so the import summary can say how many were.
/// </summary>
internal static class PictureReader
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Decodes a picture; a problem (missing, unreadable, truncated) is a <see cref="RealtimeSegException"/> naming the fix.</summary>
    public static (Frame Frame, PictureConversion Conversion) Read(ImageSource source)
    {
        byte[] bytes = ReadBytes(source);
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new RealtimeSegException($"{source.Name} is not a picture SkiaSharp can read (PNG, JPEG, BMP, GIF, WebP); re-save it as PNG or JPEG");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            throw new RealtimeSegException($"{source.Name} is damaged or truncated ({result}); re-export the picture");
        }
        var frame = Frame.Allocate(info.Width, info.Height, PixelFormat.Rgb24);
        var rgba = bitmap.GetPixelSpan();
        for (int y = 0; y < info.Height; y++)
        {
            var src = rgba.Slice(y * bitmap.RowBytes, info.Width * 4);
            var dst = frame.Row(y);
            for (int x = 0; x < info.Width; x++)
            {
                dst[3 * x] = src[4 * x];
                dst[3 * x + 1] = src[4 * x + 1];
                dst[3 * x + 2] = src[4 * x + 2];
            }
        }
        return (frame, Conversion(bytes, codec.Info));
    }

    /// <summary>True for an 8-bit RGB non-interlaced PNG file: the normalised dataset can take its bytes as they are.</summary>
    public static bool IsPlainRgbPng(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 29 && bytes[..8].SequenceEqual(PngSignature) && bytes.Slice(12, 4).SequenceEqual("IHDR"u8) &&
        bytes[24] == 8 && bytes[25] == 2 && bytes[28] == 0;

    public static byte[] ReadBytes(ImageSource source)
    {
        if (source.Bytes is { } embedded)
        {
            return embedded;
        }
        string path = source.Path!;
        if (!File.Exists(path))
        {
            throw new RealtimeSegException($"picture {path} is missing; put it there or correct the annotation's file name");
        }
        return File.ReadAllBytes(path);
    }

    private static PictureConversion Conversion(byte[] bytes, SKImageInfo info)
    {
        if (bytes.AsSpan().StartsWith(PngSignature) && bytes.Length > 25)
        {
            return bytes[25] switch { 0 or 4 => PictureConversion.FromGray, 3 => PictureConversion.FromPalette, 6 => PictureConversion.FromAlpha, _ => PictureConversion.None };
        }
        return info.ColorType == SKColorType.Gray8 ? PictureConversion.FromGray
            : info.AlphaType != SKAlphaType.Opaque ? PictureConversion.FromAlpha : PictureConversion.None;
    }
}
