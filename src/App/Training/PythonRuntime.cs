using System.Diagnostics;
using RealtimeSeg.Runtime;

namespace RealtimeSeg.App.Training;

/// <summary>
/// The Python that trains: Debian's /usr/bin/python3 with python3-torch and python3-torchvision (PyPI is not
/// needed), or another one named by REALTIMESEG_PYTHON. Only <c>train</c> needs it; the runtime never does.
/// </summary>
internal sealed record PythonRuntime(string Executable, string Trainer)
{
    public const string AptInstall = "sudo apt-get install -y python3-torch python3-torchvision python3-onnx python3-pil python3-numpy";

    /// <summary>Finds the interpreter and the trainer shipped beside the CLI, and checks that the packages import.</summary>
    public static PythonRuntime Find()
    {
        string executable = Environment.GetEnvironmentVariable("REALTIMESEG_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
        string trainer = Path.Combine(AppContext.BaseDirectory, "tools", "train_maskrcnn.py");
        if (!File.Exists(trainer))
        {
            throw new RealtimeSegException($"the trainer {trainer} is missing beside the CLI; rebuild it (./realtimeseg rebuilds on its next run)");
        }
        if (!File.Exists(executable))
        {
            throw new RealtimeSegException($"training needs Python with PyTorch; {executable} does not exist; install it with: {AptInstall}");
        }
        var psi = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-c", "import torch, torchvision, onnx, PIL, numpy; print(torch.__version__, torchvision.__version__)" })
        {
            psi.ArgumentList.Add(a);
        }
        using var check = Process.Start(psi)!;
        string stdout = check.StandardOutput.ReadToEnd();
        string stderr = check.StandardError.ReadToEnd();
        check.WaitForExit();
        if (check.ExitCode != 0)
        {
            string missing = stderr.Split('\n').LastOrDefault(l => l.Contains("No module named", StringComparison.Ordinal))?.Trim() ?? stderr.Trim().Split('\n')[^1];
            throw new RealtimeSegException($"training needs PyTorch for {executable} ({missing}); install it with: {AptInstall}");
        }
        return new PythonRuntime(executable, trainer) { Versions = stdout.Trim() };
    }

    /// <summary>"torch-version torchvision-version" as the interpreter reported them.</summary>
    public string Versions { get; init; } = "";
}
