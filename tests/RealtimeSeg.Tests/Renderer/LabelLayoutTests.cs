using RealtimeSeg.Renderer;
using RealtimeSeg.Renderer.Text;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Tests.Renderer;

/// <summary>Label chips: inside the picture, off the HUD, off each other; and the text is the bundled font's.</summary>
public sealed class LabelLayoutTests
{
    private static readonly ScreenRect Picture = new(0, 0, 320, 240); // y up: the top edge is 240

    [Fact]
    public void AChipGoesAboveItsBoxOrJustInsideItWhenTheBoxTouchesTheTop()
    {
        Assert.Equal(new ScreenRect(50, 200, 110, 218), LabelLayout.Place(50, 200, 60, 18, Picture, []));
        Assert.Equal(new ScreenRect(50, 222, 110, 240), LabelLayout.Place(50, 240, 60, 18, Picture, [])); // box at the top: inside it
    }

    [Fact]
    public void AChipIsNeverCutByThePicturesEdges()
    {
        Assert.Equal(new ScreenRect(260, 100, 320, 118), LabelLayout.Place(300, 100, 60, 18, Picture, [])); // right edge
        Assert.Equal(new ScreenRect(0, 100, 60, 118), LabelLayout.Place(-20, 100, 60, 18, Picture, []));    // left edge
        var letterboxed = new ScreenRect(0, 30, 320, 210); // bars above and below the picture
        var chip = LabelLayout.Place(10, 210, 60, 18, letterboxed, []);
        Assert.True(chip.Y0 >= 30 && chip.Y1 <= 210, $"chip {chip} leaves the picture {letterboxed}");
    }

    [Fact]
    public void AChipMovesOffTheHudAndOffEarlierChips()
    {
        var hud = new ScreenRect(4, 214, 300, 236);
        var first = LabelLayout.Place(10, 230, 60, 18, Picture, [hud]);
        Assert.False(first.Overlaps(hud), $"{first} is under the HUD {hud}");
        Assert.Equal(214, first.Y1);
        var second = LabelLayout.Place(20, 230, 60, 18, Picture, [hud, first]);
        Assert.False(second.Overlaps(hud) || second.Overlaps(first), $"{second} overlaps the HUD or {first}");
        Assert.Equal(first.Y0, second.Y1);
    }

    [Fact]
    public void TheAtlasIsDejaVuSansAtTheSizeAsked()
    {
        var atlas = GlyphAtlas.Bake(14);
        Assert.InRange(atlas.LineHeight, 14, 20);
        Assert.True(atlas.Measure("W") > atlas.Measure("i"), "a proportional font: W is wider than i");
        Assert.Equal(0, atlas[' '].Width);
        Assert.True(atlas[' '].Advance > 0);
        Assert.Contains(atlas.Pixels, p => p is > 0 and < 255); // anti-aliased edges
        Assert.True(GlyphAtlas.Bake(28).LineHeight >= 2 * atlas.LineHeight - 2, "a size twice as large is baked twice as large");
    }

    [Fact]
    public void OnTheDrawnPictureNoChipLandsUnderTheHud()
    {
        using var context = new EglContext();
        using var overlay = new OverlayRenderer(context.Gl);
        using var target = new OffscreenTarget(context.Gl, 320, 240);
        using var frame = Frame.Allocate(320, 240, PixelFormat.Rgb24);
        frame.Pixels.Fill(128);
        var labels = new LabelMap(["background", "thing"], "test");
        // Two boxes in the top-left corner, where the HUD is.
        var set = InstanceSet.FromDetections(320, 240, labels, [new BoxF(0, 0, 80, 60), new BoxF(10, 5, 90, 70)], [0.9f, 0.8f], [1, 1]);
        var hudOnly = Draw(overlay, target, frame, InstanceSet.FromDetections(320, 240, labels, [], [], []), labels: false);
        var plain = Draw(overlay, target, frame, InstanceSet.FromDetections(320, 240, labels, [], [], []), labels: false, hud: false);
        var withLabels = Draw(overlay, target, frame, set, labels: true);
        var withoutLabels = Draw(overlay, target, frame, set, labels: false);
        int underHud = 0, chipPixels = 0;
        for (int i = 0; i < withLabels.Length; i += 4)
        {
            bool hudPixel = hudOnly.AsSpan(i, 4).SequenceCompareTo(plain.AsSpan(i, 4)) != 0;
            bool labelPixel = withLabels.AsSpan(i, 4).SequenceCompareTo(withoutLabels.AsSpan(i, 4)) != 0;
            chipPixels += labelPixel ? 1 : 0;
            underHud += labelPixel && hudPixel ? 1 : 0;
        }
        Assert.True(chipPixels > 300, $"only {chipPixels} label pixels");
        Assert.Equal(0, underHud);
    }

    private static byte[] Draw(OverlayRenderer overlay, OffscreenTarget target, Frame frame, InstanceSet set, bool labels, bool hud = true)
    {
        using var image = Frame.Allocate(320, 240, PixelFormat.Bgra32);
        target.Bind();
        overlay.ForgetColours();
        overlay.Draw(frame, set, target.Viewport, new OverlayOptions { Hud = hud, Labels = labels, Colours = ColourMode.PerClass, Palette = [0, 0x2080FF] },
            new HudInfo(60, 10, 40, "cpu", 0));
        target.ReadPixels(image);
        return image.Pixels.ToArray();
    }
}
