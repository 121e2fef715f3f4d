using System.Text.Json;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Evaluation;
using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.App.Recording;

/// <summary>
/// <c>record --results FILE.jsonl</c>: one JSON line per output frame, with exactly the instances drawn on it
/// (moved to the frame's time in live mode), masks as COCO uncompressed RLE over the frame:
/// <code>{"frame":0,"time":0,"result":0,"resultTime":0,"width":640,"height":480,"instances":[{"track":1,"label":2,"class":"square","score":0.98,"box":[x1,y1,x2,y2],"area":5012,"mask":{"size":[480,640],"counts":[…]}}]}</code>
/// <c>time</c> is the frame's capture time and <c>resultTime</c> that of the frame the model saw, both in seconds
/// from the first recorded frame's capture; <c>result</c> is null (and <c>instances</c> empty) before the first
/// result. With several streams each line also has <c>"stream":n</c> (0 for the first --source): a file per stream,
/// or one line per stream and mosaic frame. Written to FILE.partial and renamed when the recording ends, so a FILE is never half a file.
/// The writer, the mask and the run list are reused from line to line.
/// </summary>
internal sealed class ResultsFile : IDisposable
{
    private readonly string _path, _partial;
    private readonly FileStream _stream;
    private readonly Utf8JsonWriter _json;
    private readonly MaskBitmap _mask = new();
    private readonly List<int> _runs = new(1024);
    private long _origin = -1;
    private bool _finished;

    private ResultsFile(string path)
    {
        _path = path;
        _partial = path + ".partial";
        try
        {
            _stream = new FileStream(_partial, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RealtimeSegException($"cannot write --results '{path}': {e.Message}; choose a path you can write to");
        }
        _json = new Utf8JsonWriter(_stream);
    }

    /// <summary>Lines written so far.</summary>
    public long Lines { get; private set; }

    /// <summary>Checks the path before anything is loaded: a .jsonl file, not the video, in a folder that exists.</summary>
    public static void CheckPath(string path, string videoPath)
    {
        if (!path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            throw new RealtimeSegException($"--results '{path}' must end in .jsonl (one JSON line per frame)");
        }
        if (Path.GetFullPath(path) == Path.GetFullPath(videoPath))
        {
            throw new RealtimeSegException("--results and --out name the same file; give the results their own .jsonl path");
        }
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir))
        {
            throw new RealtimeSegException($"--results folder '{dir}' does not exist; create it first");
        }
    }

    /// <summary>Starts FILE.partial.</summary>
    public static ResultsFile Create(string path) => new(path);

    /// <summary>
    /// One line: output frame <paramref name="index"/>, captured at <paramref name="frameTimestamp"/> (Stopwatch ticks),
    /// showing <paramref name="instances"/> from a result captured at <paramref name="resultTimestamp"/>, each moved
    /// <paramref name="motionSeconds"/> forward (0: where the model saw it).
    /// </summary>
    public void Write(long index, long frameTimestamp, int width, int height, InstanceSet? instances, long sequence, long resultTimestamp, double motionSeconds, int? stream = null)
    {
        if (_origin < 0)
        {
            _origin = frameTimestamp;
        }
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteNumber("frame", index);
        if (stream is { } n)
        {
            _json.WriteNumber("stream", n);
        }
        _json.WriteNumber("time", Math.Round(Seconds(frameTimestamp), 4));
        if (instances is null)
        {
            _json.WriteNull("result");
            _json.WriteNull("resultTime");
        }
        else
        {
            _json.WriteNumber("result", sequence);
            _json.WriteNumber("resultTime", Math.Round(Seconds(resultTimestamp), 4));
        }
        _json.WriteNumber("width", width);
        _json.WriteNumber("height", height);
        _json.WriteStartArray("instances");
        for (int i = 0; i < (instances?.Count ?? 0); i++)
        {
            WriteInstance(instances!, i, width, height, motionSeconds);
        }
        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
        _stream.WriteByte((byte)'\n');
        Lines++;
    }

    private void WriteInstance(InstanceSet instances, int i, int width, int height, double motionSeconds)
    {
        var box = instances.PredictedBox(i, motionSeconds);
        _json.WriteStartObject();
        if (instances.IsTracked)
        {
            _json.WriteNumber("track", instances.TrackIds[i]);
        }
        _json.WriteNumber("label", instances.ClassIds[i]);
        _json.WriteString("class", instances.ClassName(i));
        _json.WriteNumber("score", MathF.Round(instances.Scores[i], 4));
        _json.WriteStartArray("box");
        _json.WriteNumberValue(MathF.Round(box.X1, 2));
        _json.WriteNumberValue(MathF.Round(box.Y1, 2));
        _json.WriteNumberValue(MathF.Round(box.X2, 2));
        _json.WriteNumberValue(MathF.Round(box.Y2, 2));
        _json.WriteEndArray();
        if (instances.MaskKind != MaskKind.None)
        {
            var mask = instances.PredictedMask(i, motionSeconds, _mask);
            _json.WriteNumber("area", mask.PixelCount);
            _json.WriteStartObject("mask");
            _json.WriteStartArray("size");
            _json.WriteNumberValue(height);
            _json.WriteNumberValue(width);
            _json.WriteEndArray();
            _json.WriteStartArray("counts");
            foreach (int run in MaskRle.Encode(mask, width, height, _runs))
            {
                _json.WriteNumberValue(run);
            }
            _json.WriteEndArray();
            _json.WriteEndObject();
        }
        _json.WriteEndObject();
    }

    private double Seconds(long timestamp) => (timestamp - _origin) / (double)System.Diagnostics.Stopwatch.Frequency;

    /// <summary>Flushes and renames FILE.partial to FILE.</summary>
    public void Finish()
    {
        _json.Dispose();
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_partial, _path, overwrite: true);
        _finished = true;
    }

    /// <summary>Without <see cref="Finish"/> (a failed recording) the partial file is removed: no half-written FILE.</summary>
    public void Dispose()
    {
        if (_finished)
        {
            return;
        }
        _json.Dispose();
        _stream.Dispose();
        File.Delete(_partial);
    }
}
