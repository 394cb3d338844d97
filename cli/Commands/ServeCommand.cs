using System.CommandLine;
using Tributary.Cli.Api;
using Tributary.Cli.Hosting;

namespace Tributary.Cli.Commands;

/// <summary>
/// `tributary serve [--api-port N]`: the standalone host (blob watcher, batch windows, backfill queue, worker) and
/// its HTTP API on 127.0.0.1, until Ctrl+C or SIGTERM.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var apiPort = new Option<int?>("--api-port") { Description = "Loopback port of the HTTP API (default Tributary:Api:Port, 7080; 0 = any free port)." };
        var command = new Command("serve", "Run the host: watch incoming/, process every new blob and serve the runs API until Ctrl+C.") { apiPort };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Information, cancellationToken);
            await using var host = await TributaryHost.StartAsync(cli.Configuration, watch: true, cli.LoggerFactory, CliContext.Say, cli.Shutdown);
            var options = cli.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
            options.Port = parse.GetValue(apiPort) ?? options.Port;
            // The home's own commands (rerun, backfill) authenticate with the home's key; other callers need a configured one.
            var localKey = LocalKey(Runtime.TributaryHome.Resolve());
            if (localKey is { } local)
            {
                options.Keys.Add(local.Key);
            }

            await using var api = await StartApiAsync(host, options, cli, localKey?.Path);
            if (host.Storage.Embedded is { } embedded)
            {
                Console.WriteLine($"tributary: storage is the shared Azurite of {host.Storage.Home} (pid {embedded.Pid}, data {embedded.DataFolder}); it keeps running after serve stops (`tributary storage stop`).");
            }

            Console.WriteLine($"tributary: storage connection string: {host.StorageConnectionString}");
            Console.WriteLine("tributary: serving; press Ctrl+C to stop.");
            try
            {
                await (host.Storage.Embedded is null ? Task.Delay(Timeout.Infinite, cli.Shutdown) : KeepStorageAsync(host.Storage, cli.Shutdown));
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("tributary: stopping.");
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// The shared Azurite may be stopped or killed while serve runs: bring it back (on the same ports, so this host's
    /// clients reconnect by themselves) instead of failing every storage call until someone notices.
    /// </summary>
    private static async Task KeepStorageAsync(Runtime.StorageConnection storage, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            if (await Runtime.EmbeddedStorage.IsAliveAsync(storage.Embedded!, TimeSpan.FromSeconds(5), cancellationToken))
            {
                continue;
            }

            var record = await Runtime.EmbeddedStorage.EnsureAsync(storage.Home!, CliContext.Say, cancellationToken);
            if (record.ConnectionString != storage.ConnectionString)
            {
                Console.Error.WriteLine($"tributary: the shared storage came back on other ports ({record.BlobEndpoint}); restart serve to use it.");
            }
        }
    }

    /// <summary>The home's API key and where it is; null, said why, when the home cannot hold one (serve goes on without it).</summary>
    private static (string Key, string Path)? LocalKey(string home)
    {
        try
        {
            return (Runtime.LocalApiKey.Ensure(home), Runtime.LocalApiKey.PathIn(home));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"tributary: no API key for this home's commands ({e.Message}); rerun and backfill need TRIBUTARY_API_KEY and one of Tributary:Api:Keys.");
            return null;
        }
    }

    /// <summary>The API is an extra: when its port is taken, the host still processes files and says why there is no API.</summary>
    private static async Task<ApiServer?> StartApiAsync(TributaryHost host, ApiOptions options, CliContext cli, string? localKeyPath)
    {
        try
        {
            var api = await ApiServer.StartAsync(host.Services, options, cli.LoggerFactory, cli.Shutdown);
            Console.WriteLine($"tributary: api at {api.Address} (OpenAPI: {api.Address}openapi/v1.json)");
            Console.WriteLine($"tributary: web UI at {api.UiAddress} (sign in with an API key, or once with the one-time token {api.UiSessions.OneTimeToken})");
            if (localKeyPath is not null)
            {
                Console.WriteLine($"tributary: this home's commands (rerun, backfill) use the API key in {localKeyPath}; other callers need one of Tributary:Api:Keys.");
            }
            else if (options.Keys.Count == 0)
            {
                Console.WriteLine("tributary: no API keys configured (Tributary:Api:Keys); every API call is refused.");
            }

            return api;
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"tributary: the API did not start on 127.0.0.1:{options.Port}: {ex.Message}; serving without it.");
            return null;
        }
    }
}
