extern alias TributaryCli;

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using TributaryCli::Tributary.Cli.Hosting;
using TributaryCli::Tributary.Cli.Runtime;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Testing;
using Tributary.Testing.Processes;
using Tributary.Testing.Runs;

namespace Tributary.Bench;

/// <summary>
/// `bench faults --trials N --seed S [--rows R] [--files F] [--window-seconds W]`: one disk-backed Azurite and one task hub; per trial a taxi file
/// (or F files as one drop, one run over F inputs: packs of small chunks, each pack's results beside the run) is dropped into
/// incoming/ with `tributary serve` running, serve is SIGKILLed after a seeded random delay (uniform over
/// 0 .. the measured uninterrupted run, so the kills land inside runs: intake, planning, processing, commit, refresh, archive)
/// and restarted at once. Measured: kill -> run Succeeded. Checked after every trial: one curated commit for the run,
/// and the table holds every file dropped so far exactly once (rows, distinct trip ids and their sum against DuckDB
/// over the raw files: <see cref="TaxiOracle"/>, the taxi rules written out by hand, not taken from the code under test),
/// and the aggregate equals a full recompute over the curated table (<see cref="TrialCheck"/>).
/// </summary>
internal static class FaultTrials
{
    internal const string Dataset = "taxi";


    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchArgs.Number(args, "--outage", 0) is > 0 and var outage)
        {
            return await OutageTrials.RunAsync(args, TimeSpan.FromSeconds(outage));
        }

        var trials = BenchArgs.Number(args, "--trials", 50);
        var seed = BenchArgs.Number(args, "--seed", 1);
        var rows = BenchArgs.Number(args, "--rows", 20_000);
        var files = Math.Max(1, BenchArgs.Number(args, "--files", 1));
        var work = Directory.CreateTempSubdirectory("tributary-bench-faults-").FullName;
        await using var azurite = await AzuriteServer.StartAsync(ToolsLocator.FindToolsRoot(), Path.Combine(work, "azurite"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [StorageConnection.EnvironmentVariable] = azurite.ConnectionString,
            ["Tributary:TaskHub"] = "Faults" + seed.ToString(CultureInfo.InvariantCulture),
            ["Tributary:WatchInterval"] = "00:00:00.500",
        }).Build();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        await using var client = await TributaryHost.StartAsync(configuration, HostRole.ClientOnly, watch: false, loggers, null, CancellationToken.None);
        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        await incoming.CreateIfNotExistsAsync();
        var tables = new DatasetTables(new BlobStore(new BlobServiceClient(azurite.ConnectionString)));
        var random = new Random(seed);
        var expected = (Rows: 0L, IdSum: 0L);
        Console.WriteLine(files == 1
            ? $"bench faults: {trials} trials, seed {seed}, {rows:N0} rows per file, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"
            : $"bench faults: {trials} trials, seed {seed}, {rows:N0} rows per drop of {files} files (one run each), {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

        // Two uninterrupted runs first (the first warms the host up): the second is the kill window, and the baseline a
        // recovery is compared with.
        var serve = await ServeChild.StartAsync(EnvironmentOf(configuration));
        var window = TimeSpan.Zero;
        foreach (var warm in new[] { -2, -1 })
        {
            var clock = Stopwatch.StartNew();
            var (baselineRun, baselineFiles) = await DropTrialAsync(incoming, work, warm, rows, files);
            await WaitSucceededAsync(client.Client, baselineRun, TimeSpan.FromMinutes(5));
            window = clock.Elapsed;
            expected = baselineFiles.Aggregate(expected, Add);
            Console.WriteLine($"uninterrupted run: drop -> Succeeded {window.TotalSeconds:F1} s");
        }

        // On a shared machine the uninterrupted runs may have been slowed by others: --window-seconds sets the window.
        if (BenchArgs.Number(args, "--window-seconds", 0) is > 0 and var seconds)
        {
            window = TimeSpan.FromSeconds(seconds);
        }

        Console.WriteLine($"kill window: 0 .. {window.TotalSeconds:F1} s after the drop");

        var results = new List<Trial>();
        for (var trial = 1; trial <= trials; trial++)
        {
            var delay = TimeSpan.FromTicks((long)(random.NextDouble() * window.Ticks));
            var (runId, dropped) = await DropTrialAsync(incoming, work, trial, rows, files);
            await Task.Delay(delay);
            var step = await StepAsync(client.Client, runId);
            serve.KillHard();
            var killed = Stopwatch.StartNew();
            serve.Dispose();
            serve = await ServeChild.StartAsync(EnvironmentOf(configuration));
            var status = await WaitSucceededAsync(client.Client, runId, TimeSpan.FromMinutes(5));
            var recovery = killed.Elapsed;
            expected = dropped.Aggregate(expected, Add);

            var commits = (await DeltaLog.ReadHistoryAsync(tables.Curated(Dataset))).Count(h => h.Field("runId")?.GetString() == runId);
            var table = await TrialCheck.ReadAsync(tables, Dataset, work);
            var lost = expected.Rows - table.DistinctIds;
            var duplicated = table.Rows - table.DistinctIds;
            var ok = status == RunStatus.Succeeded && commits == 1 && lost == 0 && duplicated == 0 && table.IdSum == expected.IdSum && table.AggregateMismatches == 0;
            results.Add(new Trial(trial, delay, step, recovery, status, commits, lost, duplicated, ok));
            Console.WriteLine($"trial {trial,2}: kill at {delay.TotalSeconds,5:F1} s in '{step}', recovered in {recovery.TotalSeconds,5:F1} s, {status}, {commits} commit(s), table {table.Rows:N0} rows (expected {expected.Rows:N0}), lost {lost}, duplicated {duplicated}, aggregate {table.Groups} groups, {table.AggregateMismatches} differ from a full recompute{(ok ? string.Empty : "  <-- FAILED")}, load {File.ReadAllText("/proc/loadavg").Trim()}");
        }

        serve.Dispose();
        Summarize(results, window);
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
            // Temporary data only.
        }

        return results.All(r => r.Ok) ? 0 : 1;
    }

    private static void Summarize(List<Trial> results, TimeSpan window)
    {
        if (results.Count == 0)
        {
            return;
        }

        var seconds = results.Select(r => r.Recovery.TotalSeconds).Order().ToList();
        double At(double p) => seconds[(int)Math.Min(seconds.Count - 1, Math.Ceiling(p * seconds.Count) - 1)];
        Console.WriteLine();
        Console.WriteLine($"trials {results.Count}, passed {results.Count(r => r.Ok)}; rows lost {results.Max(r => r.Lost)}, duplicated {results.Max(r => r.Duplicated)}");
        Console.WriteLine($"recovery (kill -> Succeeded) s: min {seconds[0]:F1}  p50 {At(0.5):F1}  p95 {At(0.95):F1}  max {seconds[^1]:F1}  (uninterrupted run {window.TotalSeconds:F1} s)");
        foreach (var group in results.GroupBy(r => r.Step).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var s = group.Select(r => r.Recovery.TotalSeconds).Order().ToList();
            Console.WriteLine($"  killed in {group.Key,-18}: {group.Count(),3} trials, recovery min {s[0]:F1}  median {s[s.Count / 2]:F1}  max {s[^1]:F1} s");
        }
    }

    /// <summary>One trial's input: a file (its own run), or <paramref name="files"/> files of the trial's rows as one drop (one run).</summary>
    private static async Task<(string RunId, IReadOnlyList<string> Files)> DropTrialAsync(BlobContainerClient incoming, string work, int trial, int rows, int files)
    {
        if (files == 1)
        {
            var (runId, file) = await DropAsync(incoming, work, trial, rows);
            return (runId, [file]);
        }

        // What `tributary drop` writes: each file tagged with the drop's id, then the manifest of their versions, last.
        var dropId = $"trial-{trial + 2:D3}";
        var paths = new List<string>();
        var versions = new List<BlobReference>();
        for (var part = 0; part < files; part++)
        {
            var file = Path.Combine(work, $"{dropId}-{part:D3}.csv");
            SampleDataSet.WriteFile(file, "csv", Math.Max(1, rows / files), seed: 1000 + (trial * 1000) + part, firstTripId: ((trial + 3) * 1_000L + part) * 1_000_000L);
            var name = $"{Dataset}/faults/{dropId}-{part:D3}.csv";
            var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, new BlobUploadOptions { Metadata = new Dictionary<string, string> { [DropMetadata.DropKey] = dropId } });
            paths.Add(file);
            versions.Add(new BlobReference(BlobContainers.Incoming, name, uploaded.Value.ETag.ToString().Trim('"'), new FileInfo(file).Length));
        }

        await incoming.GetBlobClient(StorageLayout.DropManifest(Dataset, dropId))
            .UploadAsync(BinaryData.FromObjectAsJson(new DropManifest(dropId, Dataset, versions), BlobStore.Json), overwrite: true);
        return (RunIds.ForDrop(Dataset, dropId, 0), paths);
    }

    internal static async Task<(string RunId, string File)> DropAsync(BlobContainerClient incoming, string work, int trial, int rows)
    {
        var file = Path.Combine(work, $"trial-{trial + 2:D3}.csv");
        SampleDataSet.WriteFile(file, "csv", rows, seed: 1000 + trial, firstTripId: (trial + 3) * 10_000_000L);
        var name = $"{Dataset}/faults/trial-{trial + 2:D3}.csv";
        var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true);
        return (RunIds.ForBlob(Dataset, name, uploaded.Value.ETag.ToString()), file);
    }

    /// <summary>Where the run is at the kill: no instance yet (intake), else its orchestrator's phase, or done.</summary>
    internal static async Task<string> StepAsync(DurableTaskClient client, string runId)
    {
        var instance = await client.GetInstanceAsync(runId, getInputsAndOutputs: true);
        if (instance is null)
        {
            return "intake";
        }

        if (instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed)
        {
            return "completed";
        }

        if (instance.SerializedCustomStatus is not { } status)
        {
            return "started";
        }

        using var progress = JsonDocument.Parse(status);
        return progress.RootElement.TryGetProperty("phase", out var phase) || progress.RootElement.TryGetProperty("Phase", out phase)
            ? phase.GetString() ?? "running"
            : "running";
    }

    internal static async Task<RunStatus?> WaitSucceededAsync(DurableTaskClient client, string runId, TimeSpan timeout) =>
        (await WaitForManifestAsync(client, runId, timeout))?.Status;

    /// <summary>The run's manifest once its orchestration has completed; null if it did not within the timeout.</summary>
    internal static async Task<RunManifest?> WaitForManifestAsync(DurableTaskClient client, string runId, TimeSpan timeout) =>
        await RunEnd.WaitAsync(client, runId, timeout) is { RuntimeStatus: OrchestrationRuntimeStatus.Completed } metadata ? metadata.ReadOutputAs<RunManifest>() : null;

    /// <summary>The valid rows of one more dropped file, by the independent oracle (DuckDB over the raw file).</summary>
    internal static (long Rows, long IdSum) Add((long Rows, long IdSum) sum, string file) =>
        (sum.Rows + TaxiOracle.ValidRows(file), sum.IdSum + TaxiOracle.ValidIdSum(file));

    private sealed record Trial(int Number, TimeSpan KillAfter, string Step, TimeSpan Recovery, RunStatus? Status, int Commits, long Lost, long Duplicated, bool Ok);

    /// <summary>serve's configuration as its environment (`A:B` -> `A__B`).</summary>
    internal static Dictionary<string, string> EnvironmentOf(IConfiguration configuration) =>
        configuration.AsEnumerable()
            .Where(pair => pair.Value is not null)
            .ToDictionary(pair => pair.Key.Replace(":", "__", StringComparison.Ordinal), pair => pair.Value!, StringComparer.Ordinal);
}
