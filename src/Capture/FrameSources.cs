using System.Globalization;
using RealtimeSeg.Capture.Ffmpeg;
using RealtimeSeg.Capture.Synthetic;

namespace RealtimeSeg.Capture;

/// <summary>Makes the right <see cref="IFrameSource"/> for a <c>--source</c>.</summary>
public static class FrameSources
{
    /// <summary>The frame source for <paramref name="spec"/>: FFmpeg for cameras, files and streams, the image-folder reader, or the synthetic scene.</summary>
    public static IFrameSource Create(SourceSpec spec, SourceOptions? options = null, FfmpegTools? tools = null)
    {
        options ??= SourceOptions.Default;
        switch (spec.Kind)
        {
            case SourceKind.Synthetic:
                int seed = spec.Target.Length == 0 ? 1
                    : int.TryParse(spec.Target, NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s
                    : throw new CaptureException($"'{spec}': the synthetic scene's seed must be a whole number, like synthetic:7");
                var scene = new SyntheticSceneOptions
                {
                    Width = options.HasSize ? options.Width : 640,
                    Height = options.HasSize ? options.Height : 480,
                    Fps = options.Fps > 0 ? options.Fps : 30,
                    Seed = seed,
                };
                try
                {
                    scene.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new CaptureException($"'{spec}': {e.Message}");
                }
                return new SyntheticFrameSource(scene, live: !options.Unpaced);
            case SourceKind.ImageSequence:
                return new ImageSequenceSource(spec, options, tools);
            default:
                return new FfmpegFrameSource(spec, options, tools);
        }
    }

    /// <summary>The frame source for a source text such as camera:0, clip.mp4, rtsp://… or synthetic.</summary>
    public static IFrameSource Create(string source, SourceOptions? options = null, FfmpegTools? tools = null) =>
        Create(SourceSpec.Parse(source), options, tools);
}
