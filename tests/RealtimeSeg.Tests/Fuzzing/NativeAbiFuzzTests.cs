using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using RealtimeSeg.Native;
using Xunit.Abstractions;

namespace RealtimeSeg.Tests.Fuzzing;

/// <summary>
/// The C ABI's structs and sizes fuzzed in process, through the exported entry points themselves (unmanaged
/// function pointers to the [UnmanagedCallersOnly] exports): session options field by field, struct_size of every
/// out struct, instance indices, mask strides and buffer sizes, frame layouts. Pointers stay honest (a host
/// passing a wild pointer is undefined behaviour in any C API): strings are real (some not UTF-8), class arrays
/// hold what their count says, and every buffer is exactly as large as the call is told, with guard bytes after
/// it that must come back untouched. Every status is a documented one (never RTS_ERROR_INTERNAL), every message
/// one line in the header's terms.
/// </summary>
public sealed unsafe partial class NativeAbiFuzzTests(ITestOutputHelper output)
{
    private const byte Guard = 0xA5;
    private const int GuardBytes = 64;

    private static readonly int[] Ints = [0, 1, -1, 2, 3, 27, 28, 29, 55, 56, 57, 100, 640, 1000, 1001, 1024, 1025, 16384, 16385, int.MaxValue, int.MinValue];
    private static readonly float[] Floats = [0f, 0.5f, 1f, -0.0001f, 1.0001f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, float.Epsilon, 30f, 1000f, 1001f];
    private static readonly string?[] Providers = [null, "cpu", "auto", "CPU", "", "warp-drive", "cpu\u00e9", new string('c', 300)];

    /// <summary>One case: every field a host sets, as values (the pointers are made from them honestly at call time).</summary>
    private sealed record AbiCase(uint OptionsSize, int Provider, int Threads, float MinScore, int[]? Classes, int ClassCount, int MaxInstances,
        float MaxFps, bool LabelsPath, uint InfoSize, uint InstanceSize, uint StatsSize, int Index, int MaskStride, long MaskSize, long RawCount,
        int Width, int Height, int Stride, int Format, int TimeoutMs);

    private static AbiCase Valid() => new((uint)sizeof(SessionOptions), 1, 1, 0.5f, null, 0, 100, 0f, false,
        (uint)sizeof(ResultInfo), (uint)sizeof(Instance), (uint)sizeof(Stats), 0, 0, 320 * 240, 28 * 28, 64, 48, 64 * 3, 2, 0);

    private static int AnInt(Random r) => r.Next(4) == 0 ? r.Next(-100_000, 100_000) : Ints[r.Next(Ints.Length)];

    private static AbiCase Mutate(AbiCase c, Random r)
    {
        for (int m = 1 + r.Next(3); m > 0; m--)
        {
            c = r.Next(21) switch
            {
                0 => c with { OptionsSize = (uint)AnInt(r) },
                1 => c with { Provider = r.Next(Providers.Length) },
                2 => c with { Threads = AnInt(r) },
                3 => c with { MinScore = Floats[r.Next(Floats.Length)] },
                4 => r.Next(3) == 0 ? c with { Classes = null, ClassCount = AnInt(r) }
                    : c with { Classes = [.. Enumerable.Range(0, r.Next(0, 8)).Select(_ => AnInt(r) % 12)], ClassCount = -1 }, // -1: the array's length
                5 => c with { MaxInstances = AnInt(r) },
                6 => c with { MaxFps = Floats[r.Next(Floats.Length)] },
                7 => c with { LabelsPath = !c.LabelsPath },
                8 => c with { InfoSize = (uint)AnInt(r) },
                9 => c with { InstanceSize = (uint)AnInt(r) },
                10 => c with { StatsSize = (uint)AnInt(r) },
                11 => c with { Index = AnInt(r) },
                12 => c with { MaskStride = AnInt(r) },
                13 => c with { MaskSize = AnInt(r) },
                14 => c with { RawCount = AnInt(r) },
                15 => c with { Width = AnInt(r) },
                16 => c with { Height = AnInt(r) },
                17 => c with { Stride = AnInt(r) },
                18 => c with { Format = AnInt(r) % 10 }, // 4-7: the I420 formats
                19 => c with { TimeoutMs = AnInt(r) % 50 },
                _ => c with { Index = -1 },
            };
        }
        return c;
    }

    private static void Expect(int status, string call)
    {
        if (status == 0)
        {
            return;
        }
        string message = Marshal.PtrToStringUTF8((nint)Exports_LastError()) ?? "";
        if (status is < 1 or > 8 || status == 8)
        {
            throw new InvalidOperationException($"{call}: status {status} ({message})");
        }
        if (message.Length == 0 || message.Contains('\n', StringComparison.Ordinal) || Native.CAbiMessages.CSharpTerm().IsMatch(message))
        {
            throw new InvalidOperationException($"{call}: message '{message}' is empty, not one line, or names the C# API");
        }
    }

    private static byte* Exports_LastError()
    {
        delegate* unmanaged<byte*> lastError = &Exports.GetLastError;
        return lastError();
    }

    /// <summary>A buffer of exactly <paramref name="bytes"/> with guard bytes after it; null when a claim that large is not worth allocating.</summary>
    private static byte[]? Guarded(long bytes) => bytes is < 0 or > 16 << 20 ? null : [.. new byte[bytes], .. Enumerable.Repeat(Guard, GuardBytes)];

    private static void CheckGuard(byte[] buffer, long bytes, string call)
    {
        for (long i = bytes; i < buffer.Length; i++)
        {
            if (buffer[i] != Guard)
            {
                throw new InvalidOperationException($"{call} wrote past the {bytes} bytes it was given (byte {i})");
            }
        }
    }

    private static void RunCase(AbiCase c, string model, string labels)
    {
        delegate* unmanaged<byte*, SessionOptions*, void**, int> create = &Exports.SessionCreate;
        delegate* unmanaged<void*, void> destroy = &Exports.SessionDestroy;
        delegate* unmanaged<void*, byte*, int, int, int, int, long, long*, int> push = &Exports.SessionPush;
        delegate* unmanaged<void*, long, int, void**, int> wait = &Exports.SessionWait;
        delegate* unmanaged<void*, Stats*, int> stats = &Exports.SessionStats;
        delegate* unmanaged<void*, ResultInfo*, int> info = &Exports.ResultInfoGet;
        delegate* unmanaged<void*, int, Instance*, int> instance = &Exports.ResultInstance;
        delegate* unmanaged<void*, int, byte*, long, int, int> mask = &Exports.ResultMask;
        delegate* unmanaged<void*, int, float*, long, int> raw = &Exports.ResultRawMask;
        delegate* unmanaged<void*, void> release = &Exports.ResultRelease;

        byte[] modelPath = Encoding.UTF8.GetBytes(model + "\0"), labelsPath = Encoding.UTF8.GetBytes(labels + "\0");
        byte[]? provider = Providers[c.Provider] is { } p ? [.. Encoding.UTF8.GetBytes(p), 0] : null;
        if (c.Provider == Providers.Length - 1 && provider is not null)
        {
            provider[1] = 0xC3; // not UTF-8
        }
        int[] classes = c.Classes ?? [];
        int classCount = c.Classes is null ? c.ClassCount : classes.Length;
        void* session = null;
        fixed (byte* modelText = modelPath, labelsText = labelsPath, providerText = provider)
        fixed (int* classIds = classes)
        {
            var options = new SessionOptions
            {
                StructSize = c.OptionsSize, Provider = providerText, Threads = c.Threads, MinScore = c.MinScore,
                Classes = c.Classes is null && c.ClassCount != 0 ? null : classIds, ClassCount = classCount,
                MaxInstances = c.MaxInstances, MaxInferenceFps = c.MaxFps, LabelsPath = c.LabelsPath ? labelsText : null,
            };
            // A struct_size larger than ours is a newer header's: give the library that many bytes to read from.
            byte[] optionsMemory = new byte[Math.Max(sizeof(SessionOptions), (int)Math.Min(c.OptionsSize, 4096))];
            fixed (byte* o = optionsMemory)
            {
                *(SessionOptions*)o = options;
                Expect(create(modelText, (SessionOptions*)o, &session), "rts_session_create");
            }
        }
        if (session == null)
        {
            return;
        }
        try
        {
            // A frame: when the layout is valid by the header, a buffer of exactly that layout; else a small one
            // (the library must reject the call before reading).
            bool i420 = c.Format is >= 4 and <= 7, sides = c.Width is > 0 and <= 16384 && c.Height is > 0 and <= 16384;
            int bpp = c.Format is 0 or 1 ? 4 : 3;
            bool validLayout = i420
                ? sides && c.Width % 2 == 0 && c.Height % 2 == 0 && c.Stride >= c.Width && c.Stride % 2 == 0
                : sides && c.Format is >= 0 and <= 3 && c.Stride >= c.Width * bpp;
            long frameBytes = !validLayout ? 16 : i420 ? (long)c.Stride * c.Height * 3 / 2 : (long)c.Stride * (c.Height - 1) + c.Width * bpp;
            if (frameBytes > 64 << 20)
            {
                return; // a valid frame too large to bother with: the library would rightly read all of it
            }
            byte[] pixels = new byte[frameBytes];
            long frameId = 0;
            int pushed;
            fixed (byte* px = pixels)
            {
                pushed = push(session, px, c.Width, c.Height, c.Stride, c.Format, 0, &frameId);
                Expect(pushed, "rts_session_push");
            }
            if (pushed == 0 && validLayout != true)
            {
                throw new InvalidOperationException($"rts_session_push accepted a {c.Width}x{c.Height} frame of format {c.Format} at stride {c.Stride}");
            }
            void* result = null;
            if (pushed == 0 || c.TimeoutMs < 0)
            {
                Expect(wait(session, frameId, c.TimeoutMs < 0 ? c.TimeoutMs : 20_000, &result), "rts_session_wait");
            }
            long statsBytes = Math.Clamp((long)c.StatsSize, 4, 4096); // a larger claim gets the bytes the library may write
            byte[] statsMemory = Guarded(statsBytes)!;
            fixed (byte* s = statsMemory)
            {
                ((Stats*)s)->StructSize = c.StatsSize;
                Expect(stats(session, (Stats*)s), "rts_session_stats");
            }
            CheckGuard(statsMemory, statsBytes, "rts_session_stats");
            if (result == null)
            {
                return;
            }
            try
            {
                ResultCalls(c, result, info, instance, mask, raw);
            }
            finally
            {
                release(result);
            }
        }
        finally
        {
            destroy(session);
        }
    }

    private static void ResultCalls(AbiCase c, void* result, delegate* unmanaged<void*, ResultInfo*, int> info,
        delegate* unmanaged<void*, int, Instance*, int> instance, delegate* unmanaged<void*, int, byte*, long, int, int> mask,
        delegate* unmanaged<void*, int, float*, long, int> raw)
    {
        // Out structs: struct_size as the host set it, in memory of that size (at least the size field) plus guards.
        foreach (var (declared, known, call) in new[] { (c.InfoSize, sizeof(ResultInfo), "rts_result_info_get"), (c.InstanceSize, sizeof(Instance), "rts_result_instance") })
        {
            long bytes = Math.Clamp((long)declared, 4, 4096);
            byte[] memory = Guarded(bytes)!;
            fixed (byte* m = memory)
            {
                *(uint*)m = declared;
                int status = call == "rts_result_info_get" ? info(result, (ResultInfo*)m) : instance(result, c.Index, (Instance*)m);
                Expect(status, call);
                if (status == 0 && declared < known)
                {
                    throw new InvalidOperationException($"{call} accepted struct_size {declared}, below the {known} bytes it writes");
                }
            }
            CheckGuard(memory, bytes, call);
        }
        // A negative size gets no bytes at all: the call must refuse it before writing anything.
        if (Guarded(Math.Max(c.MaskSize, 0)) is { } maskMemory)
        {
            fixed (byte* m = maskMemory)
            {
                Expect(mask(result, c.Index, c.MaskSize == 0 ? null : m, c.MaskSize, c.MaskStride), "rts_result_mask");
            }
            CheckGuard(maskMemory, Math.Max(c.MaskSize, 0), "rts_result_mask");
        }
        if (Guarded(Math.Max(c.RawCount, 0) * 4) is { } rawMemory)
        {
            fixed (byte* m = rawMemory)
            {
                Expect(raw(result, c.Index, c.RawCount == 0 ? null : (float*)m, c.RawCount), "rts_result_raw_mask");
            }
            CheckGuard(rawMemory, Math.Max(c.RawCount, 0) * 4, "rts_result_raw_mask");
        }
    }

    private static string Describe(AbiCase c) =>
        c.ToString().Replace("System.Int32[]", c.Classes is null ? "null" : $"[{string.Join(", ", c.Classes)}]", StringComparison.Ordinal);

    [Fact]
    public void SessionOptionsOutStructsIndicesStridesAndFrameLayouts()
    {
        string labels = Path.ChangeExtension(Fixtures.DemoModel, ".labels.txt");
        var report = Fuzzer.Run("c-abi-structs", [Valid(), Valid() with { Provider = 0, LabelsPath = true, Classes = [1, 2] }], Mutate,
            c => RunCase(c, Fixtures.MaskRcnnRaw, labels), _ => false, ciSeconds: 10, Describe, caseTimeoutSeconds: 60);
        output.WriteLine(report.ToString());
        Assert.True(report.Findings.Count == 0, report.ToString());
    }
}
