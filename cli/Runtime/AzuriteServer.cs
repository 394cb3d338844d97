using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Tributary.Cli.Runtime;

/// <summary>
/// An Azurite (npm) process this program owns: installed with `npm ci` from the pinned lock file when
/// missing, bound to 127.0.0.1 on free ports, data under a private folder, killed on dispose. For tests and other
/// owners of a private storage; the CLI's commands share one detached Azurite per home (<see cref="EmbeddedStorage"/>).
/// </summary>
public sealed partial class AzuriteServer : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";

    // The emulator's well-known development key (public, documented by Microsoft).
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process process;
    private readonly string pidFile;

    private AzuriteServer(Process process, string pidFile, int blobPort, int queuePort, int tablePort)
    {
        this.process = process;
        this.pidFile = pidFile;
        ConnectionString = ConnectionStringFor(blobPort, queuePort, tablePort);
    }

    public string ConnectionString { get; }

    public int ProcessId => process.Id;

    public static async Task<AzuriteServer> StartAsync(string toolsRoot, string dataFolder, bool inMemory = false, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var entry = await EnsureInstalledAsync(toolsRoot, log, cancellationToken);
        Directory.CreateDirectory(dataFolder);
        var pidFile = Path.Combine(dataFolder, "azurite.pid");
        KillLeftover(pidFile);

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataFolder,
        };
        foreach (var arg in Arguments(entry, 0, 0, 0))
        {
            start.ArgumentList.Add(arg);
        }

        // Azurite 3.37 refuses --inMemoryPersistence together with --location.
        foreach (var arg in inMemory ? ["--inMemoryPersistence"] : new[] { "--location", dataFolder })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started");
        await File.WriteAllTextAsync(pidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);

        var ports = new Dictionary<string, int>();
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (errors) { errors.Add(e.Data); } } };
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (ports.Count < 3)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"Azurite exited during start-up: {string.Join(Environment.NewLine, errors)}");
                var match = ListeningLine().Match(line);
                if (match.Success)
                {
                    ports[match.Groups[1].Value] = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        // Keep draining its output so the pipe never fills and blocks it.
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is not null)
            {
            }
        }, CancellationToken.None);
        return new AzuriteServer(process, pidFile, ports["Blob"], ports["Queue"], ports["Table"]);
    }

    /// <summary>The connection string of an Azurite listening on these loopback ports.</summary>
    public static string ConnectionStringFor(int blobPort, int queuePort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";

    /// <summary>
    /// The script node loads before Azurite, so that a blob's delete and lookup no longer cost what the whole account
    /// holds (see the script). Shipped beside the binary.
    /// </summary>
    public static string PreloadScript => Path.Combine(ToolsLocator.ShippedFolder, "azurite-preload.js");

    /// <summary>node's arguments for Azurite on loopback (0 = a free port); the caller adds --location or --inMemoryPersistence.</summary>
    public static IReadOnlyList<string> Arguments(string entry, int blobPort, int queuePort, int tablePort) =>
    [
        .. File.Exists(PreloadScript) ? ["--require", PreloadScript] : Array.Empty<string>(),
        entry, "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
        "--blobPort", Invariant(blobPort), "--queuePort", Invariant(queuePort), "--tablePort", Invariant(tablePort),
        "--skipApiVersionCheck", "--loose", "--disableTelemetry",
    ];

    /// <summary>Reads "Azurite Blob service is successfully listening at http://127.0.0.1:PORT" lines: (service, port).</summary>
    public static (string Service, int Port)? ParseListening(string line)
    {
        var match = ListeningLine().Match(line);
        return match.Success ? (match.Groups[1].Value, int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)) : null;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        // The data folder may be gone already (a caller that cleaned up its temporary folder first).
        if (File.Exists(pidFile))
        {
            File.Delete(pidFile);
        }

        process.Dispose();
    }

    /// <summary>Installs the pinned Azurite with `npm ci` when node_modules lacks it; returns its entry script.</summary>
    public static async Task<string> EnsureInstalledAsync(string toolsRoot, Action<string>? log, CancellationToken cancellationToken)
    {
        var entry = Path.Combine(toolsRoot, "node_modules", "azurite", "dist", "src", "azurite.js");

        // The entry script exists long before `npm ci` has extracted the rest of the package, so it cannot say the
        // install is complete: a marker written after a finished install does (npm ci removes node_modules, marker
        // included, before it installs again).
        var installed = Path.Combine(toolsRoot, "node_modules", ".tributary-installed");
        if (File.Exists(installed))
        {
            return entry;
        }

        // One installer at a time: parallel test processes may all find it missing.
        var lockPath = Path.Combine(toolsRoot, ".npm-install.lock");
        await using var installLock = await AcquireFileLockAsync(lockPath, cancellationToken);
        if (File.Exists(installed))
        {
            return entry;
        }

        if (File.Exists(entry))
        {
            // Installed without us (a manual `npm ci` in the checkout), and nobody is installing now: we hold the lock.
            await File.WriteAllTextAsync(installed, entry, cancellationToken);
            return entry;
        }

        log?.Invoke("Installing Azurite (npm ci, first run only)...");
        var npm = new ProcessStartInfo("npm") { WorkingDirectory = toolsRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
        {
            npm.ArgumentList.Add(arg);
        }

        using var install = Process.Start(npm) ?? throw new InvalidOperationException("npm could not be started; install Node.js.");
        var stderr = install.StandardError.ReadToEndAsync(cancellationToken);
        await install.StandardOutput.ReadToEndAsync(cancellationToken);
        await install.WaitForExitAsync(cancellationToken);
        if (install.ExitCode != 0 || !File.Exists(entry))
        {
            throw new InvalidOperationException($"npm ci failed ({install.ExitCode}): {await stderr}");
        }

        await File.WriteAllTextAsync(installed, entry, cancellationToken);
        return entry;
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }

    /// <summary>An Azurite left by a process that was killed outright still holds the data folder: end it.</summary>
    private static void KillLeftover(string pidFile)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile), out var pid))
        {
            return;
        }

        try
        {
            using var leftover = Process.GetProcessById(pid);
            if (leftover.ProcessName == "node")
            {
                leftover.Kill(entireProcessTree: true);
                leftover.WaitForExit(5000);
            }
        }
        catch (ArgumentException)
        {
            // Not running any more.
        }
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
