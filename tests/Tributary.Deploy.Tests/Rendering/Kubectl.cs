using System.Diagnostics;

namespace Tributary.Deploy.Tests.Rendering;

/// <summary>
/// Finds kubectl, installing Debian's kubernetes-client when it is missing. Its built-in kustomize renders
/// offline; the overlays use the kustomize subset that kubectl 1.20 (Debian bookworm) understands too.
/// </summary>
public static class Kubectl
{
    private static readonly Lazy<string> Executable = new(LocateOrInstall, isThreadSafe: true);

    public static string Path => Executable.Value;

    public static ProcessResult Run(params string[] arguments) => ProcessResult.Run(Path, arguments);

    private static string LocateOrInstall()
    {
        var found = FindOnPath("kubectl");
        if (found is not null)
        {
            return found;
        }
        // Only root can install; CI and developer machines here run as root. The UI tests may hold apt's lock (chromium).
        var update = ProcessResult.Run("apt-get", ["-o", "DPkg::Lock::Timeout=300", "update"]);
        var install = ProcessResult.Run("apt-get", ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "--no-install-recommends", "kubernetes-client"]);
        return FindOnPath("kubectl") ?? throw new InvalidOperationException(
            $"kubectl is not on PATH and apt-get install kubernetes-client did not provide it.\n{update}\n{install}");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    public override string ToString() => $"exit {ExitCode}\n{StandardError}";
}
