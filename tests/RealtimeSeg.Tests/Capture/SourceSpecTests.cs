using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Ffmpeg;

namespace RealtimeSeg.Tests.Capture;

public sealed class SourceSpecTests
{
    [Theory]
    [InlineData("camera:0", SourceKind.Camera, "0")]
    [InlineData("camera:/dev/video2", SourceKind.Camera, "/dev/video2")]
    [InlineData("Camera:HD Webcam", SourceKind.Camera, "HD Webcam")]
    [InlineData("clip.mp4", SourceKind.VideoFile, "clip.mp4")]
    [InlineData("photo.JPG", SourceKind.ImageFile, "photo.JPG")]
    [InlineData("shots/*.png", SourceKind.ImageSequence, "shots/*.png")]
    [InlineData("rtsp://10.0.0.2:554/stream", SourceKind.Url, "rtsp://10.0.0.2:554/stream")]
    [InlineData("udp://239.0.0.1:1234", SourceKind.Url, "udp://239.0.0.1:1234")]
    [InlineData("file://clip.mkv", SourceKind.VideoFile, "clip.mkv")]
    [InlineData("lavfi:testsrc2=size=640x480:rate=30", SourceKind.Lavfi, "testsrc2=size=640x480:rate=30")]
    [InlineData("ffmpeg:-f v4l2 -i /dev/video0", SourceKind.FfmpegArguments, "-f v4l2 -i /dev/video0")]
    [InlineData("synthetic", SourceKind.Synthetic, "")]
    [InlineData("synthetic:7", SourceKind.Synthetic, "7")]
    public void ParsesEveryKindOfSource(string text, SourceKind kind, string target)
    {
        var spec = SourceSpec.Parse(text);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(target, spec.Target);
    }

    [Fact]
    public void LivenessAndReconnectionFollowTheKind()
    {
        Assert.True(SourceSpec.Parse("camera:0").CanReconnect);
        Assert.True(SourceSpec.Parse("rtsp://x/y").IsLive);
        Assert.True(SourceSpec.Parse("lavfi:testsrc2").IsLive);
        Assert.False(SourceSpec.Parse("lavfi:testsrc2").CanReconnect);
        Assert.False(SourceSpec.Parse("clip.mp4").IsLive);
    }

    [Theory]
    [InlineData("", "the source is empty")]
    [InlineData("camera:", "camera: needs a device")]
    [InlineData("gopher://x", "unknown stream scheme 'gopher://'")]
    [InlineData("ffmpeg:-f v4l2", "ending in -i INPUT")]
    public void BadSourcesSayWhatIsWrong(string text, string message)
    {
        var e = Assert.Throws<CaptureException>(() => SourceSpec.Parse(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpertArgumentsKeepQuotedParts()
    {
        Assert.Equal(["-f", "dshow", "-i", "video=HD Webcam"], FfmpegInput.SplitArguments("-f dshow -i \"video=HD Webcam\""));
        Assert.Equal(["-i", "a b", ""], FfmpegInput.SplitArguments("-i 'a b' ''"));
        Assert.Throws<CaptureException>(() => FfmpegInput.SplitArguments("-i 'open"));
    }

    [Fact]
    public void DecodeArgumentsDeliverEveryFrameAsPamOrY4m()
    {
        var spec = SourceSpec.Parse("clip.mp4");
        var options = new SourceOptions { Stride = 3, Width = 320, Height = 240 };
        var args = FfmpegInput.DecodeArguments(spec, options, DecodeFormat.Rgb);
        Assert.Contains("select=not(mod(n\\,3)),scale=320:240", args);
        Assert.Equal(["-fps_mode", "passthrough"], args.SkipWhile(a => a != "-fps_mode").Take(2));
        Assert.Equal(["-c:v", "pam", "-pix_fmt", "rgb24", "-"], args.TakeLast(5));
        var yuv = FfmpegInput.DecodeArguments(spec, options, new DecodeFormat(true, "yuvj420p", YuvMatrix.Bt709));
        Assert.Equal(["-f", "yuv4mpegpipe", "-pix_fmt", "yuvj420p", "-"], yuv.TakeLast(5));
    }

    [Fact]
    public void CameraListingsOfEachOsAreParsed()
    {
        string[] dshow =
        [
            "[dshow @ 0000022b] \"Integrated Camera\" (video)",
            "[dshow @ 0000022b]   Alternative name \"@device_pnp_\\\\?\\usb#vid\"",
            "[dshow @ 0000022b] \"Microphone (Realtek)\" (audio)",
        ];
        Assert.Equal([new CameraDevice("video=Integrated Camera", "Integrated Camera")], Cameras.ParseDirectShowList(dshow));
        string[] avf =
        [
            "[AVFoundation indev @ 0x7f] AVFoundation video devices:",
            "[AVFoundation indev @ 0x7f] [0] FaceTime HD Camera",
            "[AVFoundation indev @ 0x7f] [1] Capture screen 0",
            "[AVFoundation indev @ 0x7f] AVFoundation audio devices:",
            "[AVFoundation indev @ 0x7f] [0] MacBook Pro Microphone",
        ];
        Assert.Equal(["FaceTime HD Camera", "Capture screen 0"], Cameras.ParseAvFoundationList(avf).Select(c => c.Name));
    }

    [Fact]
    public void Video4LinuxNodesAreListedWithTheirNames()
    {
        using var dir = Fixtures.TempDir();
        foreach (var (node, name) in new[] { ("video10", "Second cam"), ("video2", "HD Webcam"), ("vbi0", "teletext") })
        {
            Directory.CreateDirectory(dir.File(node));
            File.WriteAllText(Path.Combine(dir.File(node), "name"), name + "\n");
        }
        var cameras = Cameras.ListVideo4Linux(dir.Path, "/dev");
        Assert.Equal([new CameraDevice("/dev/video2", "HD Webcam"), new CameraDevice("/dev/video10", "Second cam")], cameras);
        Assert.Equal("cameras here: camera:0 = /dev/video2 (HD Webcam), camera:1 = /dev/video10 (Second cam)", Cameras.Describe(cameras));
    }

    [Fact]
    public void PamHeadersGiveTheFrameSize()
    {
        Assert.Equal((640, 480), PamReader.ParseHeader("P7\nWIDTH 640\nHEIGHT 480\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n"u8));
        Assert.Throws<CaptureException>(() => PamReader.ParseHeader("P7\nWIDTH 640\nHEIGHT 480\nDEPTH 4\nMAXVAL 255\nENDHDR\n"u8));
    }

    [Fact]
    public void DecoderLogLinesGiveCodecAndRate()
    {
        var info = StreamProbe.FromDecoderLog("Stream #0:0: Video: rawvideo (YUY2 / 0x32595559), yuyv422, 640x480, 147456 kb/s, 30 fps, 30 tbr, 1000k tbn", 640, 480, live: true);
        Assert.Equal(("rawvideo", 30.0), (info.Codec, info.Fps));
        Assert.Equal(0, StreamProbe.FromDecoderLog(null, 640, 480, live: true).Fps);
    }
}
