using System.Globalization;
using System.Text.RegularExpressions;
using RealtimeSeg.Capture.Synthetic;
using RealtimeSeg.Runtime.Imaging;
using RealtimeSeg.Runtime.Structures;
using RealtimeSeg.Tests.Cli;

namespace RealtimeSeg.Tests.Native;

/// <summary>
/// librealtimeseg built as a user builds it (scripts/build-native.sh: NativeAOT), a C host built with gcc
/// (tests/native/rts_check.c), and synthetic-scene frames as PPM files, shared by the native tests.
/// </summary>
public sealed class NativeBuild : IDisposable
{
    public NativeBuild()
    {
        var build = CliRunner.RunProgram(Path.Combine(Fixtures.RepoRoot, "scripts", "build-native.sh"), [Folder.File("lib")], timeoutSeconds: 600);
        Library = build.Stdout.Trim().Split('\n')[^1];
        Assert.True(File.Exists(Library), $"build-native.sh's last line is not the library: {build.Stdout}");
        Host = Folder.File("rts_check");
        CliRunner.RunProgram("gcc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", "-I", Path.Combine(Fixtures.RepoRoot, "include"),
            Path.Combine(Fixtures.RepoRoot, "tests", "native", "rts_check.c"), "-o", Host, "-ldl", "-lEGL", "-lpthread"]);
        var scene = new SyntheticShapesSource(new SyntheticSceneOptions { Width = 640, Height = 480, Seed = 4 });
        var truth = new InstanceSet(SyntheticShapesSource.ClassLabels);
        for (int i = 0; i < 5; i++)
        {
            using var frame = Frame.Allocate(640, 480, PixelFormat.Rgb24);
            scene.Render(frame, truth);
            scene.Skip(5); // a sixth of a second apart: the objects move
            string path = Folder.File($"frame{i}.ppm");
            Ppm.Write(path, frame);
            Frames.Add(path);
        }
    }

    internal TempDir Folder { get; } = Fixtures.TempDir();

    /// <summary>The library the script built (its last line of output).</summary>
    public string Library { get; }

    /// <summary>The C host program.</summary>
    public string Host { get; }

    public List<string> Frames { get; } = [];

    internal CliRunner.Result RunHost(string model, params string[] args) =>
        CliRunner.RunProgram(Host, [Library, model, .. args], timeoutSeconds: 600);

    public void Dispose() => Folder.Dispose();
}

/// <summary>The C ABI end to end: a gcc-built host that dlopens librealtimeseg, against the C# API on the same frames.</summary>
public sealed partial class NativeLibraryTests(NativeBuild native) : IClassFixture<NativeBuild>
{
    [GeneratedRegex(@"^instance (\d+) (\d+) class (\d+) (\S+) score ([0-9.]+) box ([-0-9.]+) ([-0-9.]+) ([-0-9.]+) ([-0-9.]+) track (\d+)$", RegexOptions.Multiline)]
    private static partial Regex InstanceLine();

    private static double D(Group g) => double.Parse(g.Value, CultureInfo.InvariantCulture);

    [Fact]
    public void ACHostGetsTheCSharpApisInstancesAndDrawsTheirMasks()
    {
        var r = native.RunHost(Fixtures.DemoModel, ["results", .. native.Frames]);
        var lines = InstanceLine().Matches(r.Stdout).ToList();

        using var model = Fixtures.Open(Fixtures.DemoModel);
        using var slot = model.CreateSlot();
        var instances = model.CreateInstanceSet();
        int compared = 0;
        var tracks = new HashSet<int>();
        for (int f = 0; f < native.Frames.Count; f++)
        {
            using var frame = Ppm.Read(native.Frames[f]);
            slot.Segment(frame, instances);
            var mine = lines.Where(m => m.Groups[1].Value == f.ToString(CultureInfo.InvariantCulture)).ToList();
            Assert.True(instances.Count == mine.Count, $"frame {f}: the C# API found {instances.Count} instances, the C ABI {mine.Count}\n{r.Stdout}");
            for (int i = 0; i < mine.Count; i++)
            {
                var g = mine[i].Groups;
                Assert.Equal(instances.ClassIds[i], int.Parse(g[3].Value, CultureInfo.InvariantCulture));
                Assert.Equal(instances.ClassName(i), g[4].Value);
                Assert.Equal(instances.Scores[i], D(g[5]), 0.0001);
                var box = instances.Boxes[i];
                Assert.Equal(box.X1, D(g[6]), 0.01);
                Assert.Equal(box.Y1, D(g[7]), 0.01);
                Assert.Equal(box.X2, D(g[8]), 0.01);
                Assert.Equal(box.Y2, D(g[9]), 0.01);
                tracks.Add(int.Parse(g[10].Value, CultureInfo.InvariantCulture));
                compared++;
            }
        }
        Assert.True(compared >= 10, $"only {compared} instances compared");
        Assert.DoesNotContain(0, tracks);
        Assert.True(tracks.Count <= compared / native.Frames.Count + 2, $"track ids should follow the objects: {tracks.Count} ids for {compared} instances");

        // The overlay drawn by the C host into its FBO: every mask pixel coloured, nothing outside the masks.
        var drawn = Regex.Match(r.Stdout, @"drawn masks inside (\d+) lit ([0-9.]+) outside (\d+) lit ([0-9.]+)");
        Assert.True(drawn.Success, r.Stdout);
        Assert.True(int.Parse(drawn.Groups[1].Value, CultureInfo.InvariantCulture) > 5000, drawn.Value);
        Assert.True(D(drawn.Groups[2]) >= 0.99, drawn.Value);
        Assert.True(D(drawn.Groups[4]) <= 0.001, drawn.Value);
        var withFrame = Regex.Match(r.Stdout, @"drawn-with-frame lit ([0-9.]+)");
        Assert.True(withFrame.Success && D(withFrame.Groups[1]) > 0.9, $"with RTS_DRAW_FRAME the scene should fill the FBO: {withFrame.Value}");
        Assert.Contains($"stats pushed {native.Frames.Count} results {native.Frames.Count} provider cpu", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void BadCallsReturnStatusCodesWithOneLineMessagesAndNeverCrash()
    {
        var r = native.RunHost(Fixtures.DemoModel, "errors", native.Frames[0]);
        var errors = ErrorLines(r.Stdout);
        void Expect(string call, int status, string message)
        {
            Assert.True(errors.TryGetValue(call, out var e), $"no line for {call}:\n{r.Stdout}");
            Assert.True(e.Status == status, $"{call}: status {e.Status}, expected {status} ({e.Message})");
            Assert.Contains(message, e.Message, StringComparison.Ordinal);
        }
        const int InvalidArgument = 1, Model = 2, BufferTooSmall = 3, Timeout = 5, Gl = 6, Stopped = 7;
        Expect("bad-model-path", Model, "model file /nonexistent/model.onnx not found");
        Expect("null-model-path", InvalidArgument, "model_path is NULL");
        Expect("null-out-session", InvalidArgument, "out_session is NULL");
        Expect("options-size-0", InvalidArgument, "struct_size is 0; set it to sizeof(rts_session_options)");
        Expect("bad-provider", InvalidArgument, "unknown provider 'warp-drive'");
        Expect("null-session-push", InvalidArgument, "session is NULL");
        Expect("null-session-latest", InvalidArgument, "session is NULL");
        Expect("null-pixels", InvalidArgument, "pixels is NULL");
        Expect("bad-format", InvalidArgument, "format 9 is not an rts_pixel_format");
        Expect("short-stride", InvalidArgument, "stride 640 is less than a row of 640");
        Expect("wait-unpushed-frame", Timeout, "no result for frame 1000 within 300 ms");
        Expect("negative-stride", InvalidArgument, "stride -1920 is less than a row of 640 RGB pixels (1920 bytes); rows must be stored top first");
        Expect("huge-frame", InvalidArgument, "frame size 100000x2 is out of range (1 to 16384 a side)");
        Expect("negative-timeout", InvalidArgument, "timeout_ms -1 is negative; pass 0 to only look");
        Expect("unknown-class", InvalidArgument, "classes[1] is 99, not a class of this model; its classes are 1 (circle) to 5 (hexagon)");
        Expect("cuda-on-cpu-build", Model, "or name it in REALTIMESEG_ORT_LIB, or use the CPU provider (rts_session_options.provider = \"cpu\")");
        Expect("wait-woken-by-destroy", Stopped, "the session was destroyed while this thread waited for frame 1000");
        Assert.InRange(D(Regex.Match(r.Stdout, @"wait-woken-after-ms ([0-9.]+)").Groups[1]), 0, 5000); // woken, not left to its 20 s
        Expect("info-size-0", InvalidArgument, "set it to sizeof(rts_result_info)");
        Expect("instance-out-of-range", InvalidArgument, "index 1000 is out of range");
        Expect("null-instance", InvalidArgument, "out_instance is NULL");
        Expect("small-mask-buffer", BufferTooSmall, "mask_size 16 cannot hold a 640x480 mask");
        Expect("null-mask-buffer", InvalidArgument, "mask is NULL");
        Expect("small-raw-buffer", BufferTooSmall, "784 floats needed");
        Expect("null-overlay-draw", InvalidArgument, "overlay is NULL");
        Expect("null-loader", InvalidArgument, "get_proc_address is NULL");
        Expect("no-gl-context", Gl, "no OpenGL context is current on this thread");
        Expect("fine-call-after-errors", 0, "");
        Assert.All(errors.Values, e => Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal));
        AssertSpeaksC(errors.Values.Select(e => e.Message));
        Assert.Contains("abi 1 header 1", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("minor 3 header-minor 3", r.Stdout, StringComparison.Ordinal);
        var skew = Regex.Match(r.Stdout, @"clock-skew-ms ([-0-9.]+)");
        Assert.InRange(D(skew.Groups[1]), -5, 5); // rts_now_ns is CLOCK_MONOTONIC: hosts pass their own capture times
    }


    /// <summary>A C host reads about the header's functions, fields and environment, never about the C# API behind them.</summary>
    private static void AssertSpeaksC(IEnumerable<string> messages)
    {
        foreach (string message in messages)
        {
            var term = CAbiMessages.CSharpTerm().Match(message);
            Assert.False(term.Success, $"a C ABI message names the C# API ({term.Value}): {message}");
        }
    }

    private static Dictionary<string, (int Status, string Message)> ErrorLines(string stdout) =>
        Regex.Matches(stdout, @"^error (\S+) status (\d+) message (.*)$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => (int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), m.Groups[3].Value));

    [Fact]
    public void TheOverlayDrawsTheSamePictureUnderHostileHostStateAndSaysWhenItCannotDraw()
    {
        var r = native.RunHost(Fixtures.DemoModel, "gl-host", native.Frames[0]);
        string Value(string key) => Regex.Match(r.Stdout, $@"^{key} (.*)$", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : $"(no {key} line)\n{r.Stdout}";
        // Skipped rows (4000: Mesa crashed), pixels and images, swapped bytes, a small host unpack buffer, line
        // polygons, XOR logic op, rasterizer discard: byte for byte the clean picture, first draw and later draws.
        Assert.Equal("status 0 ", Value("hostile-create"));
        Assert.Equal("0", Value("hostile-first-draw-diff"));
        Assert.Equal("0", Value("hostile-draw-diff"));
        Assert.Equal("0", Value("clean-after-hostile-diff"));
        Assert.DoesNotContain("draw-failed", r.Stdout, StringComparison.Ordinal);
        var kept = Regex.Matches(r.Stdout, @"^hostile-state-kept (\d) host-error-after (\d+)$", RegexOptions.Multiline);
        Assert.Equal(2, kept.Count);
        Assert.All(kept, m => Assert.Equal("1", m.Groups[1].Value)); // the host's state given back
        Assert.All(kept, m => Assert.Equal("0", m.Groups[2].Value)); // and no error left behind by the draw
        Assert.Equal("0x0000", Value("host-gl-error-clean"));
        Assert.Equal(2, Regex.Matches(r.Stdout, @"^host-gl-error 0x0500$", RegexOptions.Multiline).Count); // the host's own GL_INVALID_ENUM, told apart

        var errors = ErrorLines(r.Stdout);
        const int Gl = 6;
        void Expect(string call, int status, string message)
        {
            Assert.True(errors.TryGetValue(call, out var e), $"no line for {call}:\n{r.Stdout}");
            Assert.True(e.Status == status, $"{call}: status {e.Status}, expected {status} ({e.Message})");
            Assert.Contains(message, e.Message, StringComparison.Ordinal);
        }
        Expect("no-framebuffer", Gl, "GL_INVALID_FRAMEBUFFER_OPERATION in the overlay's draw (no complete framebuffer is bound");
        Expect("draw-on-another-thread", Gl, "no OpenGL context is current on this thread; make the overlay's context current before rts_overlay_draw");
        Expect("draw-without-context", Gl, "no OpenGL context is current on this thread");
        Expect("draw-after-context-back", 0, "");
        Expect("loader-returns-null", Gl, "get_proc_address returned NULL for glBindSampler");
        AssertSpeaksC(errors.Values.Select(e => e.Message));
    }

    [Fact]
    public void AHostsI420FramesAreSegmentedLikeTheSamePictureInRgb()
    {
        foreach (string frame in native.Frames.Take(3))
        {
            var r = native.RunHost(Fixtures.DemoModel, "yuv", frame);
            List<(int Class, double Score, double[] Box)> Instances(string label) =>
                [.. Regex.Matches(r.Stdout, $@"^{label} \d+ class (\d+) score ([0-9.]+) box (\S+) (\S+) (\S+) (\S+)$", RegexOptions.Multiline)
                    .Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), D(m.Groups[2]),
                        new[] { D(m.Groups[3]), D(m.Groups[4]), D(m.Groups[5]), D(m.Groups[6]) }))];
            // The confident instances: a 4:2:0 picture has a quarter of the chroma, so borderline ones may differ.
            var rgb = Instances("rgb-instance").Where(i => i.Score >= 0.8).ToList();
            var yuv = Instances("yuv-instance");
            Assert.True(rgb.Count >= 2, $"too few confident instances to compare:\n{r.Stdout}");
            foreach (var want in rgb)
            {
                var match = yuv.Where(i => i.Class == want.Class).OrderBy(i => want.Box.Zip(i.Box, (a, b) => Math.Abs(a - b)).Max()).FirstOrDefault();
                Assert.True(match.Box is not null, $"class {want.Class} found in RGB, not in I420:\n{r.Stdout}");
                Assert.True(want.Box.Zip(match.Box, (a, b) => Math.Abs(a - b)).Max() <= 8, $"class {want.Class}: boxes {string.Join(",", want.Box)} and {string.Join(",", match.Box)}\n{r.Stdout}");
                Assert.True(Math.Abs(want.Score - match.Score) <= 0.1, $"class {want.Class}: scores {want.Score} and {match.Score}");
            }
            var errors = ErrorLines(r.Stdout);
            Assert.Equal((1, "stride 641 must be even and at least the width 640"), errors["odd-yuv-stride"]);
            Assert.Equal((1, "a YUV 4:2:0 frame needs an even size of 2 to 16384 a side, got 639x480"), errors["odd-yuv-size"]);
            Assert.Equal(1, errors["bad-format-8"].Status);
            AssertSpeaksC(errors.Values.Select(e => e.Message));
        }
    }

    [Fact]
    public void SeveralStreamsShareOneLoadedModel()
    {
        var r = native.RunHost(Fixtures.DemoModel, ["shared", .. native.Frames]);
        Assert.Contains("shared-done", r.Stdout, StringComparison.Ordinal);
        var rss = Regex.Match(r.Stdout, @"resident-kb before-load (\d+) after-load (\d+) after-3-sessions (\d+)");
        Assert.True(rss.Success, r.Stdout);
        long load = long.Parse(rss.Groups[2].Value, CultureInfo.InvariantCulture) - long.Parse(rss.Groups[1].Value, CultureInfo.InvariantCulture);
        long sessions = long.Parse(rss.Groups[3].Value, CultureInfo.InvariantCulture) - long.Parse(rss.Groups[2].Value, CultureInfo.InvariantCulture);
        // Three streams cost their frames and results, not three more models (the issue's bound: 60 MB a stream).
        Assert.True(sessions < 3 * 60 * 1024, $"three shared sessions took {sessions} KB beside the model's {load} KB");
        var streams = Regex.Matches(r.Stdout, @"^stream (\d) round (\d) id (\d+) instances (\d+) lowest-track (\d+)$", RegexOptions.Multiline)
            .Select(m => (Stream: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Round: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                Id: long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), Instances: int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture),
                LowestTrack: int.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(5, streams.Count); // 3 streams, then 2 once the first is destroyed
        Assert.All(streams, s => Assert.True(s.Instances > 0, $"stream {s.Stream} round {s.Round} found nothing:\n{r.Stdout}"));
        // Each stream's own frame ids and tracker: its first frame is its 1, its first track its 1.
        Assert.All(streams.Where(s => s.Round == 0), s => Assert.Equal((1L, 1), (s.Id, s.LowestTrack)));
        Assert.Contains("stats stream 1 pushed 2 results 2", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("stats stream 2 pushed 2 results 2", r.Stdout, StringComparison.Ordinal);
        var errors = ErrorLines(r.Stdout);
        Assert.Equal((1, "model is NULL"), errors["shared-null-model"]);
        Assert.Contains("model file /nonexistent/m.onnx not found; pass rts_model_load the path", errors["model-load-missing"].Message, StringComparison.Ordinal);
        Assert.Equal((1, "out_model is NULL; pass the address to write the result to"), errors["model-load-null-out"]);
        AssertSpeaksC(errors.Values.Select(e => e.Message));
    }

    [Fact]
    public void AThousandCreatePushDestroyCyclesKeepResidentMemoryFlat()
    {
        // The tiny fixture model: the same calls, a tenth of the demo model's load time.
        var r = native.RunHost(Fixtures.MaskRcnnRaw, "cycles", "1000", native.Frames[0]);
        var rss = Regex.Matches(r.Stdout, @"^cycle (\d+) resident-kb (\d+)$", RegexOptions.Multiline)
            .ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Equal(10, rss.Count);
        // Resident memory swings a few MB with the GC's collections; a leak shows as a higher peak in the second
        // half than in the first: 16 KB a cycle would add 8 MB over 500 cycles.
        long first = rss.Where(p => p.Key <= 500).Max(p => p.Value), second = rss.Where(p => p.Key > 500).Max(p => p.Value);
        Assert.True(second - first < 8 * 1024, $"resident memory's peak grew {second - first} KB from cycles 100-500 to 600-1000:\n{r.Stdout}");
    }

    [Fact]
    public void TheHeaderCompilesAsC99AndCpp17AndItsStructsMatchTheLibrarys()
    {
        string include = Path.Combine(Fixtures.RepoRoot, "include");
        string header = Path.Combine(include, "realtimeseg.h");
        CliRunner.RunProgram("gcc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only", "-x", "c", header]);
        CliRunner.RunProgram("g++", ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only", "-x", "c++", header]);
        // The usage block at the top creates every handle it uses, and destroys each.
        string usage = File.ReadAllText(header).Split("#ifndef REALTIMESEG_H")[0];
        foreach (var (create, use, destroy) in new[] { ("rts_session_create(", "rts_session_push(", "rts_session_destroy("), ("rts_overlay_create(", "rts_overlay_draw(", "rts_overlay_destroy(") })
        {
            int c = usage.IndexOf(create, StringComparison.Ordinal), u = usage.IndexOf(use, StringComparison.Ordinal), d = usage.IndexOf(destroy, StringComparison.Ordinal);
            Assert.True(c >= 0 && c < u && u < d, $"the header's usage block should call {create}...) before {use}...) and {destroy}...) after");
        }
        string probe = native.Folder.File("sizes.c");
        File.WriteAllText(probe, """
            #include <stdio.h>
            #include <stddef.h>
            #include "realtimeseg.h"
            int main(void)
            {
                printf("%zu %zu %zu %zu %zu %zu\n", sizeof(rts_session_options), sizeof(rts_result_info), sizeof(rts_instance),
                    sizeof(rts_stats), offsetof(rts_instance, class_name), offsetof(rts_stats, provider));
                return 0;
            }
            """);
        CliRunner.RunProgram("gcc", ["-std=c99", "-Wall", "-Werror", "-I", include, probe, "-o", native.Folder.File("sizes")]);
        var sizes = CliRunner.RunProgram(native.Folder.File("sizes"), []).Stdout.Trim().Split(' ').Select(int.Parse).ToArray();
        unsafe
        {
            Assert.Equal(sizeof(RealtimeSeg.Native.SessionOptions), sizes[0]);
            Assert.Equal(sizeof(RealtimeSeg.Native.ResultInfo), sizes[1]);
            Assert.Equal(sizeof(RealtimeSeg.Native.Instance), sizes[2]);
            Assert.Equal(sizeof(RealtimeSeg.Native.Stats), sizes[3]);
            Assert.Equal((int)System.Runtime.InteropServices.Marshal.OffsetOf<RealtimeSeg.Native.Instance>(nameof(RealtimeSeg.Native.Instance.ClassName)), sizes[4]);
            Assert.Equal((int)System.Runtime.InteropServices.Marshal.OffsetOf<RealtimeSeg.Native.Stats>(nameof(RealtimeSeg.Native.Stats.Provider)), sizes[5]);
        }
    }

    [Fact]
    public void TheReadmesCExampleCompilesAndRuns()
    {
        string readme = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "README.md"));
        var block = Regex.Match(readme, @"```c\n(?<code>/\* segment_ppm\.c.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "README has no ```c block starting with /* segment_ppm.c");
        var commands = Regex.Match(block.Groups["code"].Value, @"^/\* segment_ppm\.c: (?<gcc>gcc [^\n]+)\n\s+(?<run>\./a\.out) (?<model>\S+) (?<frame>\S+) \*/");
        Assert.True(commands.Success, "the example's first comment should give its gcc line and its run line");
        // The README's own gcc line, run in a folder laid out like the repository (include/, artifacts/native/ with
        // this build's library); the program then runs from another directory, as a host's would.
        string work = native.Folder.File("readme-c");
        Directory.CreateDirectory(Path.Combine(work, "artifacts"));
        File.CreateSymbolicLink(Path.Combine(work, "include"), Path.Combine(Fixtures.RepoRoot, "include"));
        File.CreateSymbolicLink(Path.Combine(work, "artifacts", "native"), Path.GetDirectoryName(native.Library)!);
        File.WriteAllText(Path.Combine(work, "segment_ppm.c"), block.Groups["code"].Value);
        CliRunner.RunProgram("bash", ["-c", $"cd '{work}' && {commands.Groups["gcc"].Value}"]);
        var r = CliRunner.RunProgram("bash", ["-c", $"cd / && '{Path.Combine(work, "a.out")}' '{Fixtures.DemoModel}' '{native.Frames[0]}'"]);
        var found = Regex.Matches(r.Stdout, @"^(circle|square|triangle|star|hexagon) ([0-9.]+) box [0-9]+,[0-9]+-[0-9]+,[0-9]+ track [1-9][0-9]*$", RegexOptions.Multiline);
        Assert.True(found.Count >= 2, $"the example should list the scene's shapes:\n{r.Stdout}");
    }
}
