using System.Diagnostics;
using System.Globalization;

using RealtimeSeg.Tests.Cli;

namespace RealtimeSeg.Tests.Samples;

/// <summary>
/// What a host author installs is what is tested: the three libraries packed fresh (a version of their own, so no
/// cached package can stand in), samples/HostOverlay built against those packages from a local folder feed (not
/// the projects), and run headless.
/// </summary>
public sealed class PackagedSampleTests
{
    [Fact]
    public void TheHostSampleBuiltFromThePackagesDrawsTheOverlay()
    {
        using var dir = Fixtures.TempDir();
        string feed = Path.Combine(dir.Path, "feed");
        string version = $"0.2.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        foreach (string project in new[] { "Runtime", "Capture", "Renderer" })
        {
            CliRunner.RunProgram("dotnet", ["pack", Path.Combine(Fixtures.RepoRoot, "src", project), "-c", "Release", "-o", feed, "-nologo",
                $"-p:Version={version}", "-p:BuildVariant=pack"]);
        }
        string[] packages = Directory.GetFiles(feed, "*.nupkg").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([$"RealtimeSeg.Capture.{version}.nupkg", $"RealtimeSeg.Renderer.{version}.nupkg", $"RealtimeSeg.Runtime.{version}.nupkg"], packages);
        using (var runtime = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"RealtimeSeg.Runtime.{version}.nupkg")))
        {
            string nuspec = new StreamReader(runtime.GetEntry("RealtimeSeg.Runtime.nuspec")!.Open()).ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec, StringComparison.Ordinal);
            Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
            Assert.Contains("id=\"Microsoft.ML.OnnxRuntime.Managed\"", nuspec, StringComparison.Ordinal);
            Assert.DoesNotContain("id=\"Microsoft.ML.OnnxRuntime\"", nuspec, StringComparison.Ordinal); // the native flavour is the app's choice
        }
        Assert.True(File.Exists(Path.Combine(feed, $"RealtimeSeg.Renderer.{version}.snupkg")), "no symbol package");

        // The sample, copied out of the repository as a host author would start from it: nothing of ours is near.
        string sample = Path.Combine(dir.Path, "HostOverlay");
        Directory.CreateDirectory(sample);
        foreach (string file in new[] { "HostOverlay.csproj", "Program.cs" })
        {
            File.Copy(Path.Combine(Fixtures.RepoRoot, "samples", "HostOverlay", file), Path.Combine(sample, file));
        }
        string output = Path.Combine(dir.Path, "out");
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

        string picture = Path.Combine(dir.Path, "host.png");
        string stdout = CliRunner.RunProgram("dotnet", [Path.Combine(output, "HostOverlay.dll"), Fixtures.DemoModel, picture, "6"]).Stdout;
        Assert.Matches(@"frames 6, instances [1-9]\d*, overlay on (8|9)\d\.\d % of ground-truth pixels, provider cpu", stdout);
        Assert.True(File.Exists(picture));
    }

}
