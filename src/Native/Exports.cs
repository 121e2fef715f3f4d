using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RealtimeSeg.Capture;
using RealtimeSeg.Renderer;
using RealtimeSeg.Runtime.Frames;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Model;
using RealtimeSeg.Runtime.Onnx;
using RealtimeSeg.Runtime.Pipeline;
using RealtimeSeg.Runtime.Processing;
using RealtimeSeg.Runtime.Structures;
using Silk.NET.OpenGL;
using PixelFormat = RealtimeSeg.Runtime.Imaging.PixelFormat;
using static RealtimeSeg.Native.NativeCalls;

namespace RealtimeSeg.Native;

/// <summary>
/// A model handle's object: one loaded model, shared by the sessions made from it; freed once the host has
/// released its handle and the last of those sessions is destroyed.
/// </summary>
internal sealed class NativeModel(SegmentationModel model)
{
    private int _references = 1;

    public SegmentationModel Model { get; } = model;

    public NativeModel Retain()
    {
        Interlocked.Increment(ref _references);
        return this;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Model.Dispose();
        }
    }
}

/// <summary>A session handle's object: a reference to its model and the C# embedding API's session over host frames.</summary>
internal sealed class NativeSession(NativeModel model, SegmentationSession session) : IDisposable
{
    public NativeModel Model { get; } = model;

    public SegmentationSession Session { get; } = session;

    public void Dispose()
    {
        Session.Dispose();
        Model.Release();
    }
}

/// <summary>A result handle's object: one reference to a pipeline result, shared by the host's retains.</summary>
internal sealed class NativeResult(SegmentationResult result)
{
    private int _references = 1;

    public SegmentationResult Result { get; } = result;

    public void Retain() => Interlocked.Increment(ref _references);

    /// <summary>True when that was the last reference (the handle is then freed by the caller).</summary>
    public bool Release()
    {
        if (Interlocked.Decrement(ref _references) != 0)
        {
            return false;
        }
        Result.Dispose();
        return true;
    }
}

/// <summary>An overlay handle's object: the host context's GL and the renderer drawing in it.</summary>
internal sealed class NativeOverlay(GL gl, OverlayRenderer renderer) : IDisposable
{
    public GL Gl { get; } = gl;

    private readonly OverlayOptions?[] _options = new OverlayOptions?[(int)DrawFlags.All + 1];

    public OverlayRenderer Renderer { get; } = renderer;

    /// <summary>RTS_DRAW_* flags as overlay options, made once per flag set: a draw allocates nothing.</summary>
    public OverlayOptions Options(DrawFlags flags) => _options[(int)flags] ??= OverlayOptions.Default with
    {
        Frame = flags.HasFlag(DrawFlags.Frame),
        Masks = flags.HasFlag(DrawFlags.Masks),
        Outlines = flags.HasFlag(DrawFlags.Outlines),
        Boxes = flags.HasFlag(DrawFlags.Boxes),
        Labels = flags.HasFlag(DrawFlags.Labels),
        Scores = flags.HasFlag(DrawFlags.Scores),
        TrackIds = flags.HasFlag(DrawFlags.TrackIds),
    };

    public void Dispose()
    {
        Renderer.Dispose();
        Gl.Dispose();
    }
}

/// <summary>
/// The C ABI (include/realtimeseg.h): thin exports over <see cref="SegmentationSession"/>,
/// <see cref="SegmentationResult"/> and <see cref="OverlayRenderer"/>. Each checks its arguments, calls the C# API
/// and turns any exception into a status and the thread's message (<see cref="NativeCalls.Fail"/>).
/// </summary>
internal static unsafe class Exports
{
    public const uint AbiVersion = 1;

    /// <summary>
    /// Additions within ABI 1: 1 added rts_abi_minor and rts_overlay_host_gl_error; 2 the RTS_PIXEL_I420_* formats;
    /// 3 rts_model_load, rts_session_create_shared and rts_model_release.
    /// </summary>
    public const uint AbiMinor = 3;

    [UnmanagedCallersOnly(EntryPoint = "rts_abi_version")]
    public static uint GetAbiVersion() => AbiVersion;

    [UnmanagedCallersOnly(EntryPoint = "rts_abi_minor")]
    public static uint GetAbiMinor() => AbiMinor;

    [UnmanagedCallersOnly(EntryPoint = "rts_now_ns")]
    public static long NowNs() => NsFromTicks(Stopwatch.GetTimestamp());

    [UnmanagedCallersOnly(EntryPoint = "rts_last_error")]
    public static byte* GetLastError() => LastError;

    [UnmanagedCallersOnly(EntryPoint = "rts_session_options_init")]
    public static int SessionOptionsInit(SessionOptions* options)
    {
        try
        {
            RequireOut(options, "options");
            *options = SessionOptions.Defaults;
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_session_create")]
    public static int SessionCreate(byte* modelPath, SessionOptions* options, void** outSession)
    {
        try
        {
            RequireOut(outSession, "out_session");
            *outSession = null;
            var o = ReadOptions(options);
            var pipeline = PipelineOptionsOf(o); // before the load: a bad option fails at once
            var model = LoadModel(modelPath, o, "rts_session_create");
            try
            {
                *outSession = (void*)NewHandle(StartSession(model, pipeline, o));
            }
            finally
            {
                model.Release(); // the session holds its own reference
            }
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_model_load")]
    public static int ModelLoad(byte* modelPath, SessionOptions* options, void** outModel)
    {
        try
        {
            RequireOut(outModel, "out_model");
            *outModel = null;
            *outModel = (void*)NewHandle(LoadModel(modelPath, ReadOptions(options), "rts_model_load"));
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_session_create_shared")]
    public static int SessionCreateShared(void* model, SessionOptions* options, void** outSession)
    {
        try
        {
            RequireOut(outSession, "out_session");
            *outSession = null;
            var m = FromHandle<NativeModel>(model, "model");
            var o = ReadOptions(options);
            *outSession = (void*)NewHandle(StartSession(m, PipelineOptionsOf(o), o));
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_model_release")]
    public static void ModelRelease(void* model)
    {
        try
        {
            if (model == null)
            {
                return;
            }
            FromHandle<NativeModel>(model, "model").Release();
            FreeHandle(model);
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private static SessionOptions ReadOptions(SessionOptions* options)
    {
        var o = SessionOptions.Defaults;
        if (options != null)
        {
            Unsafe.CopyBlock(&o, options, (uint)StructBytes(options->StructSize, sizeof(SessionOptions), "rts_session_options"));
        }
        return o;
    }

    /// <summary>The model's part of the options: path, provider, threads, labels.</summary>
    private static NativeModel LoadModel(byte* modelPath, in SessionOptions o, string function)
    {
        string path = Utf8(modelPath) ?? throw new NativeError(Status.InvalidArgument, "model_path is NULL; pass the path of a Mask R-CNN .onnx file");
        if (!File.Exists(path))
        {
            throw new NativeError(Status.Model, $"model file {path} not found; pass {function} the path of a Mask R-CNN .onnx file");
        }
        var inference = InferenceOptions.Default with
        {
            Provider = Provider(Utf8(o.Provider)),
            IntraOpThreads = Check(o.Threads, 0, 256, "threads"), // ORT makes each one: a thousand took 14 s to create here
            // The ONNX Runtime shipped beside this library, unless the host names its own (REALTIMESEG_ORT_LIB).
            OrtLibraryPath = Environment.GetEnvironmentVariable("REALTIMESEG_ORT_LIB") is { Length: > 0 } custom ? custom
                : Path.Combine(LibraryFolder, OrtLibrary.FileName),
        };
        return new NativeModel(SegmentationModel.Open(path, inference, new ModelOptions { LabelsPath = Utf8(o.LabelsPath) }));
    }

    /// <summary>A stream's part of the options: what it keeps and how fast it runs.</summary>
    private static PipelineOptions PipelineOptionsOf(in SessionOptions o)
    {
        var segment = SegmentOptions.Default with
        {
            MinScore = o.MinScore is >= 0 and <= 1 ? o.MinScore : throw new NativeError(Status.InvalidArgument, $"min_score {o.MinScore} is outside 0..1"),
            MaxInstances = Check(o.MaxInstances, 1, 1000, "max_instances"),
            Classes = Classes(o.Classes, o.ClassCount),
        };
        if (o.MaxInferenceFps is < 0 or > 1000 || float.IsNaN(o.MaxInferenceFps))
        {
            throw new NativeError(Status.InvalidArgument, $"max_inference_fps {o.MaxInferenceFps} is out of range; use 0 (no cap) to 1000");
        }
        return new PipelineOptions { Segment = segment, MaxInferenceFps = o.MaxInferenceFps > 0 ? o.MaxInferenceFps : null };
    }

    /// <summary>A started session over <paramref name="model"/>, holding a reference to it.</summary>
    private static NativeSession StartSession(NativeModel model, PipelineOptions pipeline, in SessionOptions o)
    {
        RequireModelClasses(pipeline.Segment.Classes, o.Classes, o.ClassCount, model.Model.Labels);
        var session = SegmentationSession.FromHostFrames(model.Model, pipeline);
        try
        {
            session.Start();
            return new NativeSession(model.Retain(), session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_session_destroy")]
    public static void SessionDestroy(void* session)
    {
        try
        {
            if (session == null)
            {
                return;
            }
            FromHandle<NativeSession>(session, "session").Dispose();
            FreeHandle(session);
        }
        catch (Exception e)
        {
            Fail(e); // nothing to return: the message stays for rts_last_error
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_session_push")]
    public static int SessionPush(void* session, byte* pixels, int width, int height, int stride, int format, long captureTimeNs, long* outFrameId)
    {
        try
        {
            var s = FromHandle<NativeSession>(session, "session").Session;
            if (s.Fault is { } fault)
            {
                throw fault;
            }
            if (pixels == null)
            {
                throw new NativeError(Status.InvalidArgument, "pixels is NULL; pass the frame's first row");
            }
            long id;
            if (format is >= 4 and <= 7)
            {
                // I420 planes with the matrix and range the format names: segmented and drawn without an RGB copy.
                var color = new YuvColor(format is 4 or 6 ? YuvMatrix.Bt601 : YuvMatrix.Bt709, FullRange: format >= 6);
                id = s.HostFrames!.PublishYuv420(pixels, width, height, stride, color, TicksFromNs(captureTimeNs));
            }
            else
            {
                var pixelFormat = format switch
                {
                    0 => PixelFormat.Rgba32,
                    1 => PixelFormat.Bgra32,
                    2 => PixelFormat.Rgb24,
                    3 => PixelFormat.Bgr24,
                    _ => throw new NativeError(Status.InvalidArgument, $"format {format} is not an rts_pixel_format; use RTS_PIXEL_RGBA32, _BGRA32, _RGB24, _BGR24 or one of the RTS_PIXEL_I420_* formats"),
                };
                id = s.HostFrames!.Publish(pixels, width, height, stride, pixelFormat, TicksFromNs(captureTimeNs));
            }
            if (outFrameId != null)
            {
                *outFrameId = id;
            }
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_session_latest")]
    public static int SessionLatest(void* session, void** outResult)
    {
        try
        {
            RequireOut(outResult, "out_result");
            *outResult = null;
            var s = FromHandle<NativeSession>(session, "session").Session;
            if (s.Fault is { } fault)
            {
                throw fault;
            }
            if (s.TryGetLatest(out var result))
            {
                *outResult = (void*)NewHandle(new NativeResult(result));
            }
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_session_wait")]
    public static int SessionWait(void* session, long frameId, int timeoutMs, void** outResult)
    {
        try
        {
            RequireOut(outResult, "out_result");
            *outResult = null;
            var s = FromHandle<NativeSession>(session, "session").Session;
            if (timeoutMs < 0)
            {
                throw new NativeError(Status.InvalidArgument, $"timeout_ms {timeoutMs} is negative; pass 0 to only look, or the milliseconds to wait at most");
            }
            SegmentationResult? result;
            try
            {
                if (!s.TryWaitForResult(frameId, TimeSpan.FromMilliseconds(timeoutMs), out result))
                {
                    throw s.Fault is null && s.Pipeline.IsCompleted
                        ? new NativeError(Status.Stopped, $"the session stopped before a result for frame {frameId} came")
                        : new NativeError(Status.Timeout, $"no result for frame {frameId} within {timeoutMs} ms (was it pushed? a newer push replaces a frame the model had no time for)");
                }
            }
            catch (ObjectDisposedException)
            {
                throw new NativeError(Status.Stopped, $"the session was destroyed while this thread waited for frame {frameId}");
            }
            *outResult = (void*)NewHandle(new NativeResult(result));
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_session_stats")]
    public static int SessionStats(void* session, Stats* outStats)
    {
        try
        {
            RequireOut(outStats, "out_stats");
            var s = FromHandle<NativeSession>(session, "session").Session;
            int bytes = StructBytes(outStats->StructSize, sizeof(Stats), "rts_stats");
            var p = s.Pipeline.Stats;
            var stats = new Stats
            {
                StructSize = (uint)bytes,
                InferenceFps = (float)p.FpsOut,
                LatencyMs = (float)p.LatencyP50Ms,
                FramesPushed = s.HostFrames!.Published,
                FramesDropped = s.HostFrames.Dropped,
                Results = p.ResultsOut,
            };
            CopyUtf8(s.Pipeline.ProviderName, stats.Provider);
            *outStats = stats;
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_result_retain")]
    public static void* ResultRetain(void* result)
    {
        try
        {
            FromHandle<NativeResult>(result, "result").Retain();
            return result;
        }
        catch (Exception e)
        {
            Fail(e);
            return null;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_result_release")]
    public static void ResultRelease(void* result)
    {
        try
        {
            if (result != null && FromHandle<NativeResult>(result, "result").Release())
            {
                FreeHandle(result);
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_result_info_get")]
    public static int ResultInfoGet(void* result, ResultInfo* outInfo)
    {
        try
        {
            var r = FromHandle<NativeResult>(result, "result").Result;
            RequireOut(outInfo, "out_info");
            int bytes = StructBytes(outInfo->StructSize, sizeof(ResultInfo), "rts_result_info");
            var set = r.Instances;
            *outInfo = new ResultInfo
            {
                StructSize = (uint)bytes,
                InstanceCount = set.Count,
                FrameId = r.Frame.Id,
                CaptureTimeNs = NsFromTicks(r.Frame.Timestamp),
                Width = r.Frame.Width,
                Height = r.Frame.Height,
                RawMaskSize = set.MaskKind == MaskKind.Raw ? set.RawMaskSize : 0,
                LatencyMs = (float)r.Latency.TotalMilliseconds,
            };
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_result_instance")]
    public static int ResultInstance(void* result, int index, Instance* outInstance)
    {
        try
        {
            var set = FromHandle<NativeResult>(result, "result").Result.Instances;
            RequireOut(outInstance, "out_instance");
            int bytes = StructBytes(outInstance->StructSize, sizeof(Instance), "rts_instance");
            CheckIndex(index, set);
            var box = set.Boxes[index];
            var instance = new Instance
            {
                StructSize = (uint)bytes,
                X1 = box.X1, Y1 = box.Y1, X2 = box.X2, Y2 = box.Y2,
                Score = set.Scores[index],
                ClassId = set.ClassIds[index],
                TrackId = set.TrackIds[index],
            };
            CopyUtf8(set.ClassName(index), instance.ClassName);
            *outInstance = instance;
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_result_mask")]
    public static int ResultMask(void* result, int index, byte* mask, long maskSize, int stride)
    {
        try
        {
            var r = FromHandle<NativeResult>(result, "result").Result;
            var set = r.Instances;
            CheckIndex(index, set);
            if (mask == null)
            {
                throw new NativeError(Status.InvalidArgument, "mask is NULL; pass a buffer of width x height bytes");
            }
            int w = set.ImageWidth, h = set.ImageHeight;
            stride = stride == 0 ? w : stride;
            if (stride < w)
            {
                throw new NativeError(Status.InvalidArgument, $"stride {stride} is less than the frame's width {w}");
            }
            long needed = (long)stride * (h - 1) + w;
            if (maskSize < needed)
            {
                throw new NativeError(Status.BufferTooSmall, $"mask_size {maskSize} cannot hold a {w}x{h} mask at stride {stride}: {needed} bytes needed");
            }
            if (set.MaskKind == MaskKind.None)
            {
                throw new NativeError(Status.Unavailable, "this model detects boxes only: it gives no masks");
            }
            var bitmap = set.Mask(index, Scratch.Bitmap);
            var bounds = bitmap.Bounds;
            for (int y = 0; y < h; y++)
            {
                var row = new Span<byte>(mask + (long)y * stride, w);
                row.Clear();
                if (y < bounds.Y0 || y >= bounds.Y1)
                {
                    continue;
                }
                var inside = bitmap.Row(y);
                for (int x = 0; x < inside.Length; x++)
                {
                    row[bounds.X0 + x] = inside[x] != 0 ? (byte)255 : (byte)0;
                }
            }
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_result_raw_mask")]
    public static int ResultRawMask(void* result, int index, float* probabilities, long count)
    {
        try
        {
            var set = FromHandle<NativeResult>(result, "result").Result.Instances;
            CheckIndex(index, set);
            if (probabilities == null)
            {
                throw new NativeError(Status.InvalidArgument, "probabilities is NULL; pass raw_mask_size * raw_mask_size floats");
            }
            if (set.MaskKind != MaskKind.Raw)
            {
                throw new NativeError(Status.Unavailable, "this model pastes its own masks, so there are no raw ones: use rts_result_mask");
            }
            var raw = set.RawMask(index);
            if (count < raw.Length)
            {
                throw new NativeError(Status.BufferTooSmall, $"count {count} cannot hold a {set.RawMaskSize}x{set.RawMaskSize} mask: {raw.Length} floats needed");
            }
            raw.CopyTo(new Span<float>(probabilities, raw.Length));
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_overlay_create")]
    public static int OverlayCreate(delegate* unmanaged<byte*, void*, void*> getProcAddress, void* userData, void** outOverlay)
    {
        try
        {
            RequireOut(outOverlay, "out_overlay");
            *outOverlay = null;
            if (getProcAddress == null)
            {
                throw new NativeError(Status.InvalidArgument, "get_proc_address is NULL; pass the GL loader of the current context (eglGetProcAddress, glXGetProcAddress, ...)");
            }
            string? missing = null;
            var gl = GL.GetApi(name =>
            {
                var utf8 = System.Text.Encoding.UTF8.GetBytes(name + "\0");
                fixed (byte* p = utf8)
                {
                    nint address = (nint)getProcAddress(p, userData);
                    missing ??= address == 0 ? name : null;
                    return address;
                }
            });
            try
            {
                *outOverlay = (void*)NewHandle(new NativeOverlay(gl, new OverlayRenderer(gl)));
            }
            catch (Exception e) when (missing is not null && e is not RendererException)
            {
                gl.Dispose();
                throw new NativeError(Status.Gl, $"get_proc_address returned NULL for {missing}; pass the loader of the GL context current on this thread (eglGetProcAddress, glXGetProcAddress, SDL_GL_GetProcAddress, ...)");
            }
            catch
            {
                gl.Dispose();
                throw;
            }
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_overlay_draw")]
    public static int OverlayDraw(void* overlay, void* result, int x, int y, int width, int height, uint flags, long displayTimeNs)
    {
        try
        {
            var o = FromHandle<NativeOverlay>(overlay, "overlay");
            var r = FromHandle<NativeResult>(result, "result").Result;
            if (width <= 0 || height <= 0)
            {
                throw new NativeError(Status.InvalidArgument, $"viewport {width}x{height} is empty");
            }
            if ((flags & ~(uint)DrawFlags.All) != 0)
            {
                throw new NativeError(Status.InvalidArgument, $"flags 0x{flags:x} has bits that are not RTS_DRAW_* flags");
            }
            var options = o.Options((DrawFlags)flags);
            var viewport = new Viewport(x, y, width, height);
            if (displayTimeNs == 0)
            {
                o.Renderer.Draw(r, viewport, options);
            }
            else
            {
                o.Renderer.Draw(r, TicksFromNs(displayTimeNs), viewport, options);
            }
            return 0;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_overlay_host_gl_error")]
    public static uint OverlayHostGlError(void* overlay)
    {
        try
        {
            return (uint)FromHandle<NativeOverlay>(overlay, "overlay").Renderer.LastHostGlError;
        }
        catch (Exception e)
        {
            Fail(e);
            return 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "rts_overlay_destroy")]
    public static void OverlayDestroy(void* overlay)
    {
        try
        {
            if (overlay == null)
            {
                return;
            }
            FromHandle<NativeOverlay>(overlay, "overlay").Dispose();
            FreeHandle(overlay);
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private static int Check(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new NativeError(Status.InvalidArgument, $"{name} {value} is out of range ({min} to {max})");

    private static void CheckIndex(int index, InstanceSet set)
    {
        if ((uint)index >= (uint)set.Count)
        {
            throw new NativeError(Status.InvalidArgument, $"index {index} is out of range: the result has {set.Count} instances");
        }
    }

    private static ExecutionProvider Provider(string? name) => (name ?? "auto").ToLowerInvariant() switch
    {
        "auto" => ExecutionProvider.Auto,
        "cpu" => ExecutionProvider.Cpu,
        "cuda" => ExecutionProvider.Cuda,
        "tensorrt" => ExecutionProvider.TensorRT,
        "dml" => ExecutionProvider.DirectML,
        "coreml" => ExecutionProvider.CoreML,
        "webgpu" => ExecutionProvider.WebGpu,
        var other => throw new NativeError(Status.InvalidArgument, $"unknown provider '{other}'; expected auto, cpu, cuda, tensorrt, dml, coreml or webgpu"),
    };

    private static HashSet<int>? Classes(int* classes, int count)
    {
        if (count == 0)
        {
            return null;
        }
        if (classes == null || count < 0)
        {
            throw new NativeError(Status.InvalidArgument, $"classes is {(classes == null ? "NULL" : "set")} with class_count {count}; pass class_count ids, or NULL and 0 for every class");
        }
        return [.. new ReadOnlySpan<int>(classes, count)];
    }

    /// <summary>Class ids the model has none of are the host's mistake, not an empty filter: name the valid ones.</summary>
    private static void RequireModelClasses(IReadOnlySet<int>? classes, int* given, int count, LabelMap labels)
    {
        if (classes is null || labels.Count <= 1)
        {
            return; // every class, or a model whose class count is unknown
        }
        foreach (int id in classes)
        {
            if (id < 1 || id >= labels.Count)
            {
                int index = new ReadOnlySpan<int>(given, count).IndexOf(id);
                throw new NativeError(Status.InvalidArgument, $"classes[{index}] is {id}, not a class of this model; its classes are 1 ({labels.Names[1]}) to {labels.Count - 1} ({labels.Names[^1]})");
            }
        }
    }

    /// <summary>Per-thread scratch for mask queries (any thread may ask, so not per result).</summary>
    private static class Scratch
    {
        [ThreadStatic] private static MaskBitmap? t_bitmap;

        public static MaskBitmap Bitmap => t_bitmap ??= new MaskBitmap();
    }
}
