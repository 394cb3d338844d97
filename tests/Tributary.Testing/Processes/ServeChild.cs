using System.Diagnostics;
using System.Globalization;

namespace Tributary.Testing.Processes;

/// <summary>
/// `tributary serve` as a real child process, as a user starts it: tests and benches kill it outright (SIGKILL),
/// stop it as Kubernetes does (SIGTERM), read what it printed and how much memory it and its helpers used.
/// The one place that starts serve (or another `tributary` command) as a child.
/// </summary>
public sealed class ServeChild : IDisposable
{
    private const string ConnectionStringMarker = "storage connection string: ";
    private readonly Process process;
    private readonly Stopwatch clock;
    private readonly List<string> output = [];

    private ServeChild(Process process, Stopwatch clock)
    {
        this.process = process;
        this.clock = clock;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>tributary.dll built beside the test or bench assembly.</summary>
    public static string BesideThisAssembly => Path.Combine(AppContext.BaseDirectory, "tributary.dll");

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>Time since the process was started.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

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

    /// <summary>The storage connection string serve printed (its home's embedded Azurite); empty if it printed none.</summary>
    public string ConnectionString
    {
        get
        {
            var line = Output.Split(Environment.NewLine).FirstOrDefault(l => l.Contains(ConnectionStringMarker, StringComparison.Ordinal));
            return line is null ? "" : line[(line.IndexOf(ConnectionStringMarker, StringComparison.Ordinal) + ConnectionStringMarker.Length)..].Trim();
        }
    }

    /// <summary>Starts serve and waits until it says it is serving.</summary>
    public static async Task<ServeChild> StartAsync(IReadOnlyDictionary<string, string> environment, ServeChildOptions? options = null)
    {
        options ??= new ServeChildOptions();
        var serve = Launch(environment, options);
        var deadline = DateTime.UtcNow + options.StartTimeout;
        while (!serve.Said("serving"))
        {
            if (serve.process.HasExited || DateTime.UtcNow > deadline)
            {
                var said = serve.Output;
                serve.Dispose();
                throw new InvalidOperationException($"tributary serve did not start:{Environment.NewLine}{said}");
            }

            await Task.Delay(100);
        }

        return serve;
    }

    /// <summary>Starts serve without waiting (a bench times how long it takes to be ready).</summary>
    public static ServeChild Launch(IReadOnlyDictionary<string, string> environment, ServeChildOptions? options = null)
    {
        options ??= new ServeChildOptions();
        // A child never takes the fixed default API port unless asked: serves running side by side collided on it.
        var arguments = options.Arguments.Contains("--api-port") || environment.ContainsKey("Tributary__Api__Port")
            ? options.Arguments
            : [.. options.Arguments, "--api-port", "0"];
        var start = Command(options.Tributary ?? BesideThisAssembly, environment, options.WorkingDirectory, ["serve", .. arguments], options.Launcher);
        var clock = Stopwatch.StartNew();
        return new ServeChild(Process.Start(start)!, clock);
    }

    /// <summary>
    /// Any `tributary` command as a child (drop, storage stop...). If the parent dies, a serve started this way stops
    /// by itself instead of haunting what runs next.
    /// </summary>
    public static ProcessStartInfo Command(string tributary, IReadOnlyDictionary<string, string> environment, string? workingDirectory, IEnumerable<string> arguments, IReadOnlyList<string>? launcher = null)
    {
        var start = new ProcessStartInfo(launcher?[0] ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in launcher?.Skip(1).Append("dotnet") ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(tributary);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["TRIBUTARY_PARENT_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        return start;
    }

    public bool Said(string text)
    {
        lock (output)
        {
            return output.Any(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>kill -9: no shutdown code runs, locks and leases are left behind.</summary>
    public void KillHard()
    {
        Signal("-9");
        process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM, as Kubernetes, systemd or Ctrl+C stop a process; the exit code, or null if it did not exit in time.</summary>
    public int? Terminate(TimeSpan wait)
    {
        Signal("-TERM");
        if (!process.WaitForExit(wait))
        {
            return null;
        }

        // WaitForExit with a timeout does not wait for the redirected output to drain: the last lines ("stopping.")
        // could be missing from Output. Without one, it does, and the process has exited already.
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>Peak resident memory (VmHWM) of a live process, in MB; 0 when it is gone.</summary>
    public static double PeakMb(int pid)
    {
        try
        {
            var line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>
    /// CPU seconds a process has used so far (user + system, from /proc/PID/stat): a run's cost in core time, which the
    /// machine's other load moves less than its wall time; 0 when the process is gone.
    /// </summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            // Fields after the command (which may hold spaces) start at state; utime and stime are the 14th and 15th fields.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / (double)ClockTicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>USER_HZ: 100 on Linux on every architecture .NET runs on.</summary>
    private const int ClockTicksPerSecond = 100;

    /// <summary>Serve's children (the durable sidecar) and any process naming <paramref name="home"/> (its Azurite), with their peak RSS and CPU seconds so far.</summary>
    public IReadOnlyList<(string Name, double PeakMb, double CpuSeconds)> Helpers(string home)
    {
        var found = new List<(string, double, double)>();
        foreach (var dir in Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var status = File.ReadAllLines(Path.Combine(dir, "status"));
                var parent = status.First(l => l.StartsWith("PPid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1].Trim();
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var pid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                if (parent == process.Id.ToString(CultureInfo.InvariantCulture) || command.Contains(home, StringComparison.Ordinal))
                {
                    found.Add((command.Contains("azurite", StringComparison.OrdinalIgnoreCase) ? "azurite" : Path.GetFileName(command.Split(' ')[0]), PeakMb(pid), CpuSeconds(pid)));
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or FormatException)
            {
                // Gone meanwhile.
            }
        }

        return found;
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

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
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
