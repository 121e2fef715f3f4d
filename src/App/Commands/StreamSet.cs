using RealtimeSeg.Capture;
using RealtimeSeg.Capture.Loop;
using RealtimeSeg.Runtime;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Pipeline;

namespace RealtimeSeg.App.Commands;

/// <summary>
/// The sessions of several --source streams over one loaded model, stream 0 first. Each keeps its own capture
/// (reconnecting as a single stream does), results, tracker and stats; the model's gate gives them turns.
/// </summary>
internal sealed class StreamSet : IDisposable
{
    private readonly List<SegmentationSession> _sessions;

    private StreamSet(IReadOnlyList<SourceSpec> specs, List<SegmentationSession> sessions)
    {
        Specs = specs;
        _sessions = sessions;
    }

    public IReadOnlyList<SourceSpec> Specs { get; }

    public IReadOnlyList<SegmentationSession> Sessions => _sessions;

    /// <summary>
    /// Opens every stream; a source that cannot be opened at all (a missing file) fails the command with its stream
    /// named. <paramref name="realtimeFiles"/> plays files at their own rate, as a camera would show them.
    /// </summary>
    public static StreamSet Open(SegmentationModel model, IReadOnlyList<SourceSpec> specs, SourceOptions options, PipelineOptions pipelineOptions, DisplayMode mode, bool realtimeFiles)
    {
        var sessions = new List<SegmentationSession>(specs.Count);
        try
        {
            for (int i = 0; i < specs.Count; i++)
            {
                var streamOptions = realtimeFiles && specs[i].Kind == SourceKind.VideoFile ? options with { Realtime = true } : options;
                try
                {
                    sessions.Add(SegmentationSession.FromSource(model, specs[i], streamOptions, pipelineOptions, mode));
                }
                catch (RealtimeSegException e)
                {
                    throw new RealtimeSegException($"stream {i} ({specs[i]}): {e.Message}", e);
                }
            }
            return new StreamSet(specs, sessions);
        }
        catch
        {
            sessions.ForEach(s => s.Dispose());
            throw;
        }
    }

    public void Start() => _sessions.ForEach(s => s.Start());

    public void Stop() => _sessions.ForEach(s => s.Stop());

    /// <summary>Whether every stream has delivered its last frame (files; live sources never end).</summary>
    public bool AllEnded => _sessions.All(s => s.Capture?.State is CaptureState.Ended or CaptureState.Failed);

    /// <summary>
    /// Says on stderr which streams failed and why (the others' output stands); 1 when any did, else 0.
    /// </summary>
    public int ReportFaults()
    {
        int failed = 0;
        for (int i = 0; i < _sessions.Count; i++)
        {
            string? why = _sessions[i].Pipeline.Fault?.Message
                ?? (_sessions[i].Capture is { State: CaptureState.Failed } status ? status.Message ?? "the source failed" : null);
            if (why is not null)
            {
                Console.Error.WriteLine($"error: stream {i} ({Specs[i]}): {CliWording.ForCommandLine(why)}");
                failed++;
            }
        }
        return failed == 0 ? 0 : CommandRunner.UserError;
    }

    public void Dispose() => _sessions.ForEach(s => s.Dispose());
}
