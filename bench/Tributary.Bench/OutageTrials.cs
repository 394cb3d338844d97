extern alias TributaryCli;

using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Tributary.Testing.Processes;
using TributaryCli::Tributary.Cli.Hosting;
using TributaryCli::Tributary.Cli.Runtime;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Testing.Faults;

namespace Tributary.Bench;

/// <summary>
/// `bench faults --outage SECONDS [--trials N] [--seed S] [--rows R]`: `tributary serve` reaches its Azurite only through
/// <see cref="FaultyStorageProxy"/>; per trial a taxi file is dropped and, at a seeded moment inside the run, storage goes
/// down for SECONDS (connections refused, live ones reset), then comes back. Measured: storage back -> run Succeeded.
/// Checked: serve did not exit, one curated commit for the run, the table holds every file so far exactly once
/// (<see cref="Tributary.Testing.TaxiOracle"/> over the raw files), the aggregate equals a full recompute.
/// The bench itself (drops, status, checks) talks to Azurite directly, so it sees the run through the outage.
/// </summary>
internal static class OutageTrials
{
    public static async Task<int> RunAsync(string[] args, TimeSpan outage)
    {
        var trials = BenchArgs.Number(args, "--trials", 3);
        var seed = BenchArgs.Number(args, "--seed", 1);
        var rows = BenchArgs.Number(args, "--rows", 10_000);
        var work = Directory.CreateTempSubdirectory("tributary-bench-outage-").FullName;
        await using var azurite = await AzuriteServer.StartAsync(ToolsLocator.FindToolsRoot(), Path.Combine(work, "azurite"));
        await using var proxy = FaultyStorageProxy.Start(azurite.ConnectionString, StorageFaultPlan.None);
        var settings = new Dictionary<string, string?>
        {
            [StorageConnection.EnvironmentVariable] = azurite.ConnectionString,
            ["Tributary:TaskHub"] = "Outage" + seed.ToString(CultureInfo.InvariantCulture),
            ["Tributary:WatchInterval"] = "00:00:00.500",
        };
        var direct = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        settings[StorageConnection.EnvironmentVariable] = proxy.ConnectionString;
        var throughProxy = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        await using var client = await TributaryHost.StartAsync(direct, HostRole.ClientOnly, watch: false, loggers, null, CancellationToken.None);
        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        await incoming.CreateIfNotExistsAsync();
        var tables = new DatasetTables(new BlobStore(new BlobServiceClient(azurite.ConnectionString)));
        var random = new Random(seed);
        var expected = (Rows: 0L, IdSum: 0L);
        Console.WriteLine($"bench faults --outage {outage.TotalSeconds:F0}: {trials} trials, seed {seed}, {rows:N0} rows per file, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {Load()}");

        using var serve = await ServeChild.StartAsync(FaultTrials.EnvironmentOf(throughProxy));
        var window = TimeSpan.Zero;
        foreach (var warm in new[] { -2, -1 })
        {
            var clock = Stopwatch.StartNew();
            var (run, file) = await FaultTrials.DropAsync(incoming, work, warm, rows);
            await FaultTrials.WaitSucceededAsync(client.Client, run, TimeSpan.FromMinutes(5));
            window = clock.Elapsed;
            expected = FaultTrials.Add(expected, file);
            Console.WriteLine($"uninterrupted run: drop -> Succeeded {window.TotalSeconds:F1} s");
        }

        var passed = 0;
        for (var trial = 1; trial <= trials; trial++)
        {
            var delay = TimeSpan.FromTicks((long)(random.NextDouble() * window.Ticks));
            var (runId, file) = await FaultTrials.DropAsync(incoming, work, trial, rows);
            await Task.Delay(delay);
            var step = await FaultTrials.StepAsync(client.Client, runId);
            proxy.RefuseConnections();
            await Task.Delay(outage);
            proxy.AcceptConnections();
            var back = Stopwatch.StartNew();
            var status = await FaultTrials.WaitSucceededAsync(client.Client, runId, TimeSpan.FromMinutes(10));
            var afterOutage = back.Elapsed;
            expected = FaultTrials.Add(expected, file);

            var commits = (await DeltaLog.ReadHistoryAsync(tables.Curated(FaultTrials.Dataset))).Count(h => h.Field("runId")?.GetString() == runId);
            var table = await TrialCheck.ReadAsync(tables, FaultTrials.Dataset, work);
            var lost = expected.Rows - table.DistinctIds;
            var duplicated = table.Rows - table.DistinctIds;
            var ok = !serve.HasExited && status == RunStatus.Succeeded && commits == 1 && lost == 0 && duplicated == 0 && table.IdSum == expected.IdSum && table.AggregateMismatches == 0;
            passed += ok ? 1 : 0;
            Console.WriteLine($"trial {trial}: storage down {outage.TotalSeconds:F0} s from {delay.TotalSeconds:F1} s after the drop (run in '{step}'); serve {(serve.HasExited ? "EXITED" : "up")}; Succeeded {afterOutage.TotalSeconds:F1} s after storage came back ({status}), {commits} commit(s), table {table.Rows:N0} rows (expected {expected.Rows:N0}), lost {lost}, duplicated {duplicated}, aggregate {table.Groups} groups, {table.AggregateMismatches} differ from a full recompute{(ok ? string.Empty : "  <-- FAILED")}; load {Load()}");
        }

        Console.WriteLine($"trials {trials}, passed {passed}; proxy: {proxy.Summary()}");
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
            // Temporary data only.
        }

        return passed == trials ? 0 : 1;
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Trim();
}
