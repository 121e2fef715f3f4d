using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

using RealtimeSeg.Tests.Cli;

namespace RealtimeSeg.Tests.Samples;

/// <summary>The three libraries packed fresh, once for the tests that build apps on them (a version of their own, so no cached package can stand in).</summary>
public sealed class PackageFeed : IDisposable
{
    private readonly TempDir _dir = Fixtures.TempDir();

    public PackageFeed()
    {
        Folder = Path.Combine(_dir.Path, "feed");
        Version = $"0.2.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        foreach (string project in new[] { "Runtime", "Capture", "Renderer" })
        {
            CliRunner.RunProgram("dotnet", ["pack", Path.Combine(Fixtures.RepoRoot, "src", project), "-c", "Release", "-o", Folder, "-nologo",
                $"-p:Version={Version}", "-p:BuildVariant=pack"]);
        }
    }

    public string Folder { get; }

    public string Version { get; }

    internal string NewFolder(string name)
    {
        string path = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// What a host author installs is what is tested: samples/HostOverlay and docs/nuget's recipe built against the
/// packages from a local folder feed (not the projects), outside the repository, and run headless.
/// </summary>
public sealed partial class PackagedSampleTests(PackageFeed packages) : IClassFixture<PackageFeed>
{
    [Fact]
    public void TheHostSampleBuiltFromThePackagesDrawsTheOverlay()
    {
        string feed = packages.Folder, version = packages.Version;
        string[] packed = Directory.GetFiles(feed, "*.nupkg").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([$"RealtimeSeg.Capture.{version}.nupkg", $"RealtimeSeg.Renderer.{version}.nupkg", $"RealtimeSeg.Runtime.{version}.nupkg"], packed);
        using (var runtime = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"RealtimeSeg.Runtime.{version}.nupkg")))
        {
            string nuspec = new StreamReader(runtime.GetEntry("RealtimeSeg.Runtime.nuspec")!.Open()).ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec, StringComparison.Ordinal);
            Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
            Assert.Contains("id=\"Microsoft.ML.OnnxRuntime.Managed\"", nuspec, StringComparison.Ordinal);
            Assert.DoesNotContain("id=\"Microsoft.ML.OnnxRuntime\"", nuspec, StringComparison.Ordinal); // the native flavour is the app's choice
            Assert.NotNull(runtime.GetEntry("buildTransitive/RealtimeSeg.Runtime.targets"));
        }
        Assert.True(File.Exists(Path.Combine(feed, $"RealtimeSeg.Renderer.{version}.snupkg")), "no symbol package");

        // The sample, copied out of the repository as a host author would start from it: nothing of ours is near.
        string sample = packages.NewFolder("HostOverlay");
        foreach (string file in new[] { "HostOverlay.csproj", "Program.cs" })
        {
            File.Copy(Path.Combine(Fixtures.RepoRoot, "samples", "HostOverlay", file), Path.Combine(sample, file));
        }
        string output = packages.NewFolder("out");
        CliRunner.RunProgram("dotnet", ["build", sample, "-c", "Release", "-nologo", "-o", output, $"-p:RealtimeSegVersion={version}",
            $"-p:RestoreAdditionalProjectSources={feed}"]);
        using (var assets = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(sample, "obj", "project.assets.json"))))
        {
            var libraries = assets.RootElement.GetProperty("libraries");
            foreach (string package in new[] { "Runtime", "Capture", "Renderer" })
            {
                Assert.Equal("package", libraries.GetProperty($"RealtimeSeg.{package}/{version}").GetProperty("type").GetString());
            }
        }

        // A linux-x64 app carries Linux natives only: no Windows onnxruntime.dll (17 MB) from ONNX Runtime's props.
        Assert.Empty(Directory.GetFiles(output, "onnxruntime*.dll"));
        Assert.True(File.Exists(Path.Combine(output, "libonnxruntime.so")));

        string picture = Path.Combine(packages.NewFolder("pictures"), "host.png");
        string stdout = CliRunner.RunProgram("dotnet", [Path.Combine(output, "HostOverlay.dll"), Fixtures.DemoModel, picture, "6"]).Stdout;
        Assert.Matches(@"frames 6, instances [1-9]\d*, overlay on (8|9)\d\.\d % of ground-truth pixels, provider cpu", stdout);
        Assert.True(File.Exists(picture));
    }

    [GeneratedRegex(@"```(?<lang>xml|csharp)\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [Fact]
    public void TheNuGetReadmesRecipeBuildsAnAppThatRuns()
    {
        // docs/nuget/README.md (the packages' readme) as a new user follows it: its nuget.config, its project and its
        // Program.cs, verbatim but for the feed's folder and the packages' version.
        string readme = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "docs", "nuget", "README.md"));
        var blocks = CodeBlock().Matches(readme).Select(m => m.Groups["code"].Value).ToList();
        string config = Assert.Single(blocks, b => b.Contains("<configuration>", StringComparison.Ordinal));
        string project = Assert.Single(blocks, b => b.Contains("<Project Sdk=", StringComparison.Ordinal));
        string program = Assert.Single(blocks, b => b.Contains("SegmentationModel.Open", StringComparison.Ordinal));
        Assert.Contains("value=\"~/realtimeseg-feed\"", config, StringComparison.Ordinal);
        Assert.Contains("Version=\"0.2.0\"", project, StringComparison.Ordinal);

        string app = packages.NewFolder("ReadmeApp");
        File.WriteAllText(Path.Combine(app, "nuget.config"), config.Replace("~/realtimeseg-feed", packages.Folder, StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(app, "ReadmeApp.csproj"), project.Replace("Version=\"0.2.0\"", $"Version=\"{packages.Version}\"", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(app, "Program.cs"), program);
        string output = packages.NewFolder("readme-out");
        CliRunner.RunProgram("dotnet", ["build", app, "-c", "Release", "-nologo", "-o", output]);
        Assert.Empty(Directory.GetFiles(output, "onnxruntime*.dll"));

        string picture = Directory.GetFiles(Path.Combine(Fixtures.DemoDir, "images", "val"), "*.png").Order(StringComparer.Ordinal).First();
        string drawn = Path.Combine(packages.NewFolder("readme-pictures"), "overlay.png");
        string stdout = CliRunner.RunProgram("dotnet", [Path.Combine(output, "ReadmeApp.dll"), Fixtures.DemoModel, picture, drawn]).Stdout;
        Assert.Matches(@"^[1-9]\d* instances drawn into ", stdout);
        using var image = RealtimeSeg.Runtime.Imaging.Png.Read(drawn);
        Assert.Equal((320, 240), (image.Width, image.Height));
    }
}
