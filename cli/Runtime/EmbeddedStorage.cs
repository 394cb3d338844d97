using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Azure.Storage.Blobs;

namespace Tributary.Cli.Runtime;

/// <summary>What a home's storage.json records about its shared Azurite.</summary>
public sealed record StorageRecord(
    int Pid,
    int BlobPort,
    int QueuePort,
    int TablePort,
    string ConnectionString,
    string DataFolder,
    string Log,
    DateTimeOffset StartedAt)
{
    public string BlobEndpoint => $"http://127.0.0.1:{BlobPort}/{AzuriteServer.AccountName}";

    public string QueueEndpoint => $"http://127.0.0.1:{QueuePort}/{AzuriteServer.AccountName}";

    public string TableEndpoint => $"http://127.0.0.1:{TablePort}/{AzuriteServer.AccountName}";
}

/// <summary>
/// The one shared Azurite of a home (state folder). The first command that needs storage starts it detached (its own
/// session via setsid, output to azurite.log in the home) so it outlives that command, and records it in
/// storage.json; every later command (serve, drop, runs, get, …) finds it and reuses it. Liveness is a real request
/// (blob service GetProperties), not only the pid. Nothing here kills an Azurite that answers; the start is guarded
/// by a lock file so two commands starting at once get one Azurite. A restart reuses the recorded ports when they are
/// free, so hosts that hold the old connection string reconnect by themselves.
/// </summary>
public static class EmbeddedStorage
{
    public const string RecordFile = "storage.json";
    public const string LockFile = "storage.lock";
    public const string LogFile = "azurite.log";
    public const string DataFolderName = "azurite";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string DataFolder(string home) => Path.Combine(home, DataFolderName);

    /// <summary>The recorded storage, or null when none was recorded (or the record is unreadable).</summary>
    public static StorageRecord? Read(string home)
    {
        var path = Path.Combine(home, RecordFile);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<StorageRecord>(File.ReadAllText(path), Json) : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>True when the recorded Azurite answers a blob service request within the timeout.</summary>
    public static async Task<bool> IsAliveAsync(StorageRecord record, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = timeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await new BlobServiceClient(record.ConnectionString, options).GetPropertiesAsync(deadline.Token);
            return true;
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or OperationCanceledException or HttpRequestException or IOException or AggregateException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }

    /// <summary>The home's live Azurite, started (detached) when there is none.</summary>
    public static async Task<StorageRecord> EnsureAsync(string home, Action<string>? say, CancellationToken cancellationToken)
    {
        if (Read(home) is { } recorded && await IsAliveAsync(recorded, TimeSpan.FromSeconds(3), cancellationToken))
        {
            return recorded;
        }

        Directory.CreateDirectory(home);
        await using var guard = await AcquireLockAsync(Path.Combine(home, LockFile), cancellationToken);

        // Another command may have started it while this one waited for the lock.
        var previous = Read(home);
        if (previous is not null && await IsAliveAsync(previous, TimeSpan.FromSeconds(3), cancellationToken))
        {
            return previous;
        }

        if (previous is not null && IsOurAzurite(previous))
        {
            // Its process is there but it did not answer: give a slow start (or a busy moment) time before deciding.
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline && IsOurAzurite(previous))
            {
                if (await IsAliveAsync(previous, TimeSpan.FromSeconds(3), cancellationToken))
                {
                    return previous;
                }

                await Task.Delay(500, cancellationToken);
            }

            // Not answering for 15 s: a hung process still holds the data folder; end it before starting another.
            say?.Invoke($"The recorded Azurite (pid {previous.Pid}) does not answer; restarting it.");
            Signal(previous.Pid, Sigkill);
            WaitForExit(previous.Pid, TimeSpan.FromSeconds(5));
        }

        var toolsRoot = ToolsLocator.FindToolsRoot();
        var entry = await AzuriteServer.EnsureInstalledAsync(toolsRoot, say, cancellationToken);
        StorageRecord? started = null;
        if (previous is not null)
        {
            // Same ports as before, so hosts holding the old connection string reconnect; any free ports if taken.
            started = await StartDetachedAsync(home, entry, previous.BlobPort, previous.QueuePort, previous.TablePort, cancellationToken);
        }

        started ??= await StartDetachedAsync(home, entry, 0, 0, 0, cancellationToken)
            ?? throw new InvalidOperationException($"Azurite did not start; see {Path.Combine(home, LogFile)}:{Environment.NewLine}{Tail(Path.Combine(home, LogFile))}");

        var temp = Path.Combine(home, RecordFile + ".tmp");
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(started, Json), cancellationToken);
        File.Move(temp, Path.Combine(home, RecordFile), overwrite: true);
        say?.Invoke($"Started the shared storage (Azurite, pid {started.Pid}) for {home}; `tributary storage stop` ends it.");
        return started;
    }

    /// <summary>Stops the home's Azurite (SIGTERM: it saves its metadata; SIGKILL after the timeout). False when none was running.</summary>
    public static bool Stop(string home, TimeSpan timeout)
    {
        var record = Read(home);
        if (record is null)
        {
            return false;
        }

        var running = IsOurAzurite(record);
        if (running)
        {
            Signal(record.Pid, Sigterm);
            if (!WaitForExit(record.Pid, timeout))
            {
                Signal(record.Pid, Sigkill);
                WaitForExit(record.Pid, TimeSpan.FromSeconds(5));
            }
        }

        File.Delete(Path.Combine(home, RecordFile));
        return running;
    }

    /// <summary>True when the pid runs node with this record's data folder (a recycled pid is not ours).</summary>
    public static bool IsOurAzurite(StorageRecord record)
    {
        if (!Directory.Exists("/proc/self"))
        {
            // No procfs (macOS): the pid must at least be a node process.
            try
            {
                using var process = Process.GetProcessById(record.Pid);
                return process.ProcessName == "node";
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        try
        {
            var cmdline = File.ReadAllText($"/proc/{record.Pid}/cmdline").Split('\0');
            return cmdline.Contains(record.DataFolder) && cmdline.Any(a => a.EndsWith("azurite.js", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task<StorageRecord?> StartDetachedAsync(string home, string entry, int blobPort, int queuePort, int tablePort, CancellationToken cancellationToken)
    {
        var dataFolder = DataFolder(home);
        Directory.CreateDirectory(dataFolder);
        var log = Path.Combine(home, LogFile);
        if (File.Exists(log))
        {
            File.Move(log, log + ".1", overwrite: true);
        }

        await File.WriteAllTextAsync(log, "", cancellationToken);

        // sh starts Azurite in the background and exits, so Azurite's parent becomes init: no kill of this command's
        // process tree reaches it. setsid gives it a session of its own (no Ctrl+C or hang-up of this terminal), and
        // its output goes to the log, its input from /dev/null: no pipe ties it to this process.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true };
        var detach = File.Exists("/usr/bin/setsid") || File.Exists("/bin/setsid") ? "setsid" : "nohup";
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"{detach} \"$@\" >>\"$TRIBUTARY_AZURITE_LOG\" 2>&1 </dev/null & echo $!");
        start.ArgumentList.Add("azurite");
        start.ArgumentList.Add("node");
        foreach (var arg in AzuriteServer.Arguments(entry, blobPort, queuePort, tablePort).Concat(["--location", dataFolder]))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TRIBUTARY_AZURITE_LOG"] = log;
        start.WorkingDirectory = dataFolder;
        int pid;
        using (var shell = Process.Start(start) ?? throw new InvalidOperationException("/bin/sh could not be started"))
        {
            var printed = await shell.StandardOutput.ReadToEndAsync(cancellationToken);
            await shell.WaitForExitAsync(cancellationToken);
            pid = int.Parse(printed.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        var ports = new Dictionary<string, int>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ports.Count < 3)
        {
            if (!IsRunning(pid) || DateTime.UtcNow > deadline)
            {
                Signal(pid, Sigkill);
                return null;
            }

            await Task.Delay(100, cancellationToken);
            string text;
            using (var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete)))
            {
                text = await reader.ReadToEndAsync(cancellationToken);
            }

            foreach (var line in text.Split('\n'))
            {
                if (AzuriteServer.ParseListening(line) is { } listening)
                {
                    ports[listening.Service] = listening.Port;
                }
            }
        }

        return new StorageRecord(
            pid, ports["Blob"], ports["Queue"], ports["Table"],
            AzuriteServer.ConnectionStringFor(ports["Blob"], ports["Queue"], ports["Table"]),
            dataFolder, log, DateTimeOffset.UtcNow);
    }

    private static string Tail(string path)
    {
        try
        {
            return string.Join(Environment.NewLine, File.ReadAllLines(path).TakeLast(20));
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>An exclusive lock on a file that stays (deleting it on close would let two holders lock two inodes).</summary>
    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    private const int Sigterm = 15;
    private const int Sigkill = 9;

    private static void Signal(int pid, int signal) => _ = SysKill(pid, signal);

    private static bool IsRunning(int pid)
    {
        if (Directory.Exists("/proc/self"))
        {
            return Directory.Exists($"/proc/{pid}") && !IsZombie(pid);
        }

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

    private static bool WaitForExit(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!IsRunning(pid))
            {
                return true;
            }

            Thread.Sleep(100);
        }

        return false;
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
