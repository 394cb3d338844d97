using System.Diagnostics;
using System.Globalization;
using Tributary.Cli.Runtime;

namespace Tributary.Cli.Tests.Fixtures;

/// <summary>
/// A temporary TRIBUTARY_HOME for `tributary` child processes on the embedded default (no TributaryStorage): its own
/// detached Azurite on free ports, so a test run never meets a developer's. Dispose stops that Azurite
/// (`tributary storage stop`); homes left by a test process that died are stopped when the next one starts.
/// </summary>
public sealed class CliHome : IDisposable
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "tributary-cli-homes");

    public CliHome()
    {
        StopOrphans();
        Folder = Path.Combine(Root, $"{System.Environment.ProcessId}-{Guid.NewGuid():N}");
        Work = Path.Combine(Folder, "work");
        Directory.CreateDirectory(Work);
    }

    /// <summary>The home (state folder).</summary>
    public string Folder { get; }

    /// <summary>A working folder for the child processes (the user's project folder).</summary>
    public string Work { get; }

    public string Home => Path.Combine(Folder, "home");

    /// <summary>Environment of a child on the embedded default with this home.</summary>
    public Dictionary<string, string> Environment(IDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["TRIBUTARY_HOME"] = Home,
            ["Tributary__WatchInterval"] = "00:00:00.500",
            ["Tributary__Api__Port"] = "0",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>Runs `tributary ARGS` (the built CLI) as a child process in <see cref="Work"/>.</summary>
    public Task<CliResult> RunAsync(params string[] args) => CliResult.RunAsync(args, Environment(), Work, TimeSpan.FromMinutes(3));

    public void Dispose()
    {
        Stop(Home);
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Temporary data only.
        }
    }

    private static void Stop(string home)
    {
        if (File.Exists(Path.Combine(home, "storage.json")))
        {
            var result = CliResult.RunAsync(["storage", "stop"], new Dictionary<string, string> { ["TRIBUTARY_HOME"] = home }, Path.GetTempPath(), TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"storage stop failed: {result}");
            }
        }
    }

    /// <summary>Homes of test processes that are gone: stop their Azurites so CI leaves no orphan node processes.</summary>
    private static void StopOrphans()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        foreach (var folder in Directory.GetDirectories(Root))
        {
            var owner = Path.GetFileName(folder).Split('-')[0];
            if (int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
            {
                Stop(Path.Combine(folder, "home"));
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>One finished `tributary` child process.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string workingDirectory, TimeSpan timeout, string? executable = null)
    {
        var start = new ProcessStartInfo(executable ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        if (executable is null)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tributary.dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove(StorageConnection.EnvironmentVariable);
        start.Environment.Remove(StorageConnection.FormerEnvironmentVariable);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tributary {string.Join(' ', args)} did not finish in {timeout}: {await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public override string ToString() => $"exit {ExitCode}{System.Environment.NewLine}stdout:{System.Environment.NewLine}{Stdout}{System.Environment.NewLine}stderr:{System.Environment.NewLine}{Stderr}";
}
