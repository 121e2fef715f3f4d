using RealtimeSeg.App.Training;
using RealtimeSeg.Runtime.Imaging;
using SkiaSharp;

namespace RealtimeSeg.Tests.Training;

/// <summary>The dataset side of <c>train</c> in process: shapes become the masks a user drew, pictures become RGB.</summary>
public sealed class DatasetReaderTests
{
    [Fact]
    public void APolygonCoversThePixelsWhoseCentresItContains()
    {
        var canvas = new MaskCanvas();
        canvas.Start(20, 10);
        canvas.FillPolygon([2, 1, 12, 1, 12, 6, 2, 6]); // a 10x5 rectangle on pixel edges
        var rect = canvas.Finish();
        Assert.Equal(50, rect.PixelCount);
        Assert.Equal((2, 1, 12, 6), (rect.Bounds.X0, rect.Bounds.Y0, rect.Bounds.X1, rect.Bounds.Y1));

        canvas.Start(20, 20);
        canvas.FillPolygon([0, 0, 20, 0, 0, 20]); // a right triangle of area 200 over the diagonal
        var triangle = canvas.Finish();
        Assert.Equal(190, triangle.PixelCount); // the pixels strictly above the anti-diagonal: 19 + 18 + ... + 1
        Assert.True(triangle[0, 0] && triangle[18, 0] && !triangle[19, 0] && !triangle[10, 10]);

        canvas.Start(8, 8);
        canvas.FillPolygon([1, 1, 5, 5, 7, 7]); // collinear: no area
        Assert.True(canvas.Finish().Bounds.IsEmpty);
    }

    [Fact]
    public void ACircleMatchesItsAreaAndClipsAtThePictureEdge()
    {
        var canvas = new MaskCanvas();
        canvas.Start(100, 100);
        canvas.FillCircle(50, 50, 20);
        Assert.InRange(canvas.Finish().PixelCount, Math.PI * 400 * 0.98, Math.PI * 400 * 1.02);

        canvas.Start(100, 100);
        canvas.FillCircle(0, 50, 20); // half of it outside the picture
        var half = canvas.Finish();
        Assert.InRange(half.PixelCount, Math.PI * 400 / 2 * 0.95, Math.PI * 400 / 2 * 1.05);
        Assert.Equal(0, half.Bounds.X0);
    }

    [Fact]
    public void CocoRunsAreColumnMajorAndRunsPastThePictureAreRejected()
    {
        var canvas = new MaskCanvas();
        canvas.Start(3, 2);
        Assert.True(canvas.PaintRuns([1, 2, 3])); // column-major: (0,1) and (1,0) set
        var mask = canvas.Finish();
        Assert.True(mask[0, 1] && mask[1, 0]);
        Assert.False(mask[0, 0] || mask[1, 1] || mask[2, 0] || mask[2, 1]);

        canvas.Start(3, 2);
        Assert.False(canvas.PaintRuns([4, 3]));
    }

    [Fact]
    public void CompressedRleDecodesWhatPycocotoolsEncodes()
    {
        int[] counts = [0, 5, 300, 1, 0, 40, 123456, 7, 2];
        var decoded = new List<int>();
        Assert.True(CompressedRle.TryDecode(Encode(counts), decoded));
        Assert.Equal(counts, decoded);

        Assert.False(CompressedRle.TryDecode("\u007f", new List<int>()));
        Assert.False(CompressedRle.TryDecode("o", new List<int>())); // a group that says "more" and then ends
    }

    /// <summary>pycocotools' rleToString (maskApi.c), written from its description: 5 bits a char, +48, deltas from two back.</summary>
    private static string Encode(int[] counts)
    {
        var s = new System.Text.StringBuilder();
        for (int i = 0; i < counts.Length; i++)
        {
            long x = counts[i];
            if (i > 2)
            {
                x -= counts[i - 2];
            }
            bool more = true;
            while (more)
            {
                long c = x & 0x1f;
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more)
                {
                    c |= 0x20;
                }
                s.Append((char)(c + 48));
            }
        }
        return s.ToString();
    }

    [Fact]
    public void LabelmeShapesBecomeObjectsAndAGroupIdJoinsTheParts()
    {
        using var dir = Fixtures.TempDir();
        LabelmeScenes.Write(dir.Path, count: 2, seed: 7);
        var problems = new DatasetProblems();
        var dataset = LabelmeReader.Read(dir.Path, problems);
        Assert.Equal(0, problems.Count);
        Assert.Equal(LabelmeScenes.Classes, dataset.Classes);
        Assert.Equal(2, dataset.Images.Count);
        foreach (var image in dataset.Images)
        {
            // Three objects an image, whatever the number of shapes: scene001's tile is two rectangles of one group.
            Assert.Equal(LabelmeScenes.Classes, image.Objects.Select(o => o.ClassName));
            var (frame, _) = PictureReader.Read(image.Image);
            using (frame)
            {
                Assert.Equal((image.Width, image.Height), (frame.Width, frame.Height));
            }
        }
        var embedded = dataset.Images[0];
        Assert.Null(embedded.Image.Path); // scene000 carries its picture in imageData
        Assert.NotNull(dataset.Images[1].Image.Path);
        var tile = dataset.Images[1].Objects[1];
        Assert.Contains("group 1", tile.Where, StringComparison.Ordinal);
        // The two rectangles leave a two-pixel gap between them: one object's mask, with a hole row.
        Assert.Contains(Enumerable.Range(tile.Mask.Bounds.Y0, tile.Mask.Bounds.Height), y => !tile.Mask[tile.Mask.Bounds.X0 + 2, y]);
    }

    [Theory]
    [InlineData(SKColorType.Gray8, "FromGray")]
    [InlineData(SKColorType.Rgba8888, "FromAlpha")]
    public void GrayAndAlphaPicturesAreReadAsRgb(SKColorType type, string conversion)
    {
        using var dir = Fixtures.TempDir();
        string file = dir.File("p.png");
        var info = new SKImageInfo(6, 4, type, type == SKColorType.Gray8 ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        using (var bitmap = new SKBitmap(info))
        {
            bitmap.Erase(type == SKColorType.Gray8 ? new SKColor(128, 128, 128) : new SKColor(200, 100, 50, 128));
            using var data = SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(file, data.ToArray());
        }
        var (frame, how) = PictureReader.Read(new ImageSource(file, null));
        using (frame)
        {
            Assert.Equal(conversion, how.ToString());
            Assert.Equal(PixelFormat.Rgb24, frame.Format);
            Assert.Equal((6, 4), (frame.Width, frame.Height));
        }
    }

    [Fact]
    public void AMixedSizeGrayAndAlphaLabelmeFolderIsCheckedAndWrittenAsRgb()
    {
        using var dir = Fixtures.TempDir();
        string data = Path.Combine(dir.Path, "labelme");
        LabelmeScenes.Write(data, count: 2, seed: 3);
        LabelmeScenes.Write(Path.Combine(data, "big"), count: 1, seed: 4, width: 160, height: 120);
        // Re-save scene001's picture as grayscale: the JSON is unchanged, as when a user converts the files.
        string picture = Path.Combine(data, "scene001.png");
        using (var original = SKBitmap.Decode(picture))
        using (var gray = new SKBitmap(new SKImageInfo(original.Width, original.Height, SKColorType.Gray8, SKAlphaType.Opaque)))
        {
            Assert.True(original.CopyTo(gray, SKColorType.Gray8));
            using var encoded = SKImage.FromBitmap(gray).Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(picture, encoded.ToArray());
        }
        var plan = DatasetImport.Check(data, null, 0.0, seed: 1);
        Assert.Equal(3, plan.Train.Count);
        Assert.Equal((96, 64, 160, 120), plan.Sizes);
        Assert.Equal(1, plan.Conversions.GetValueOrDefault(PictureConversion.FromGray));

        string written = Path.Combine(dir.Path, "dataset");
        DatasetImport.Write(plan, written);
        var truth = RealtimeSeg.Runtime.Evaluation.CocoGroundTruth.Load(written, "train");
        Assert.Equal(9, truth.Objects.Count);
        foreach (string png in Directory.GetFiles(Path.Combine(written, "images", "train")))
        {
            using var frame = Png.Read(png);
            Assert.Equal(PixelFormat.Rgb24, frame.Format);
        }
        DatasetImport.Write(plan, written); // the same dataset again (a resume): accepted, unchanged
    }
}
