using System.Diagnostics;
using System.Globalization;

namespace Tributary.Bench.EndToEnd;

/// <summary>`tributary serve` as a user starts it: a process of its own on a fresh home (its own embedded Azurite).</summary>
public sealed class ServeChild : IDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];
    private readonly string home;
    private readonly string tributary;

    private ServeChild(Process process, string home, string tributary)
    {
        this.process = process;
        this.home = home;
        this.tributary = tributary;
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

    public int Pid => process.Id;

    public string ConnectionString { get; private set; } = "";

    public static async Task<ServeChild> StartAsync(string tributary, string home, string work, IReadOnlyDictionary<string, string> environment)
    {
        var start = Start(tributary, home, work, environment, "serve");
        var serve = new ServeChild(Process.Start(start)!, home, tributary);
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!serve.Output.Contains("serving", StringComparison.Ordinal))
        {
            if (serve.process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"tributary serve did not start:{Environment.NewLine}{serve.Output}");
            }

            await Task.Delay(100);
        }

        const string Marker = "storage connection string: ";
        var line = serve.Output.Split(Environment.NewLine).First(l => l.Contains(Marker, StringComparison.Ordinal));
        serve.ConnectionString = line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..].Trim();
        return serve;
    }

    /// <summary>A `tributary` child (drop, storage stop...) sharing this home.</summary>
    public static ProcessStartInfo Start(string tributary, string home, string work, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = work };
        start.ArgumentList.Add(tributary);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["TRIBUTARY_HOME"] = home;
        start.Environment["TRIBUTARY_PARENT_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
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

    /// <summary>Children of the serve process (the durable sidecar) and the home's Azurite, with their peak RSS.</summary>
    public IReadOnlyList<(string Name, double PeakMb)> Helpers()
    {
        var found = new List<(string, double)>();
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
                    found.Add((command.Contains("azurite", StringComparison.OrdinalIgnoreCase) ? "azurite" : Path.GetFileName(command.Split(' ')[0]), PeakMb(pid)));
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
        using var stop = Process.Start(Start(tributary, home, Path.GetTempPath(), new Dictionary<string, string>(), "storage", "stop"))!;
        stop.WaitForExit(60_000);
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
