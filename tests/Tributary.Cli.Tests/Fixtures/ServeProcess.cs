using System.Diagnostics;

namespace Tributary.Cli.Tests.Fixtures;

/// <summary>`tributary serve` as a real child process, so a test can kill it outright (SIGKILL) mid-run.</summary>
public sealed class ServeProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];

    private ServeProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return string.Join(Environment.NewLine, output);
            }
        }
    }

    public bool HasExited => process.HasExited;

    public int Id => process.Id;

    /// <param name="launcher">A command that execs the rest of its arguments (`dotnet tributary.dll serve`), e.g. unshare
    /// to give serve its own mounts; it must exec, so that the process id stays serve's.</param>
    public static async Task<ServeProcess> StartAsync(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string>? launcher = null)
    {
        var start = new ProcessStartInfo(launcher?[0] ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in launcher?.Skip(1).Append("dotnet") ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tributary.dll"));
        start.ArgumentList.Add("serve");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        // If this test process crashes, the child stops by itself instead of haunting the next tests.
        start.Environment["TRIBUTARY_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var serve = new ServeProcess(Process.Start(start)!);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!serve.Output.Contains("serving", StringComparison.Ordinal))
        {
            if (serve.process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"tributary serve did not start:{Environment.NewLine}{serve.Output}");
            }

            await Task.Delay(100);
        }

        return serve;
    }

    /// <summary>kill -9: no shutdown code runs, locks and leases are left behind.</summary>
    public void KillHard()
    {
        Process.Start("kill", ["-9", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM, as Kubernetes or systemd stop a process; returns the exit code, or null if it did not exit in time.</summary>
    public int? Terminate(TimeSpan wait)
    {
        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        return process.WaitForExit(wait) ? process.ExitCode : null;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.Add(line);
            }
        }
    }
}
