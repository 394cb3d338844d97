using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Tributary.Cli.Hosting;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;

namespace Tributary.Cli.Commands;

/// <summary>
/// `tributary demo`: generates sample taxi files, starts the embedded runtime, drops the files into
/// incoming/, waits for every run and prints what came out: the runs, then the dataset (the curated table and the
/// aggregate read from its table). It then re-uploads one file with other rows under the same name and shows the
/// dataset change with no duplicate: the newer version of an input replaces the older one in one table commit.
/// </summary>
public static class DemoCommand
{
    private const string Dataset = "taxi";

    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Rows per sample file.", DefaultValueFactory = _ => 20_000 };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for all runs.", DefaultValueFactory = _ => 300 };
        var command = new Command("demo", "Run the whole pipeline on generated sample data and show the results.") { rows, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            try
            {
                return await RunAsync(cli, parse.GetValue(rows), TimeSpan.FromSeconds(parse.GetValue(timeout)));
            }
            catch (OperationCanceledException)
            {
                AnsiConsole.MarkupLine("[red]demo: stopped before all runs completed.[/]");
                return 1;
            }
            catch (Exception ex) when (ex is InvalidOperationException or Azure.RequestFailedException or IOException)
            {
                AnsiConsole.MarkupLine($"[red]demo failed:[/] {Markup.Escape(ex.Message)}");
                return 1;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, int rowsPerFile, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var demoFolder = Path.Combine(TributaryHome.Resolve(), "demo");
        var inputFolder = Path.Combine(demoFolder, "input");
        if (Directory.Exists(inputFolder))
        {
            Directory.Delete(inputFolder, recursive: true);
        }

        var files = SampleDataSet.Write(inputFolder, rowsPerFile);
        CliContext.Say($"Generated {files.Count} sample files ({rowsPerFile:N0} rows each) in {inputFolder}");

        await using var host = await TributaryHost.StartAsync(cli.Configuration, watch: true, cli.LoggerFactory, CliContext.Say, cli.Shutdown);
        CliContext.Say("Embedded runtime started: storage, Durable Task engine on Azure Storage, DuckDB.");

        var blobs = new BlobServiceClient(host.StorageConnectionString);
        var incoming = blobs.GetBlobContainerClient(BlobContainers.Incoming);
        var runs = new List<(string File, string RunId)>();
        foreach (var file in files)
        {
            runs.Add((Path.GetFileName(file), await UploadAsync(incoming, file, cli.Shutdown)));
        }

        CliContext.Say($"Dropped {files.Count} files into {BlobContainers.Incoming}/{Dataset}/{Folder}/ (the same names on every demo: a new demo replaces the last one's rows)");
        var manifests = await WaitForRunsAsync(host.Client, runs.Select(r => r.RunId).ToList(), timeout, cli.Shutdown);

        PrintRuns(runs, manifests);
        var output = Path.Combine(demoFolder, "output");
        await CopyOutputsAsync(new BlobStore(blobs), manifests.Values, output, cli.Shutdown);
        var failed = manifests.Values.Count(m => m.Status != RunStatus.Succeeded);
        if (failed > 0)
        {
            AnsiConsole.MarkupLine($"[red]{failed} run(s) failed[/] in {clock.Elapsed.TotalSeconds:F1}s; outputs copied to [link]{Markup.Escape(output)}[/]");
            return 1;
        }

        // The dataset: every run committed to the curated table, and the aggregate was refreshed from it.
        var query = host.Services.GetRequiredService<DatasetQuery>();
        var before = await DatasetStateAsync(query, cli.Shutdown);
        PrintAggregate(before);

        // A producer re-uploads one file, corrected: other rows under the same name, over the same trip ids.
        var replaced = files[0];
        SampleDataSet.WriteFile(replaced, "csv", Math.Max(1, rowsPerFile / 2), seed: 1042, firstTripId: 1);
        AnsiConsole.WriteLine();
        CliContext.Say($"Re-uploading {Path.GetFileName(replaced)} with other content ({Math.Max(1, rowsPerFile / 2):N0} new rows, trip ids from 1 again) under the same name…");
        var rerun = await UploadAsync(incoming, replaced, cli.Shutdown);
        var rerunManifest = (await WaitForRunsAsync(host.Client, [rerun], timeout, cli.Shutdown))[rerun];
        if (rerunManifest.Status != RunStatus.Succeeded)
        {
            AnsiConsole.MarkupLine($"[red]the re-upload's run {Markup.Escape(rerun)} failed:[/] {Markup.Escape(rerunManifest.Error ?? "")}");
            return 1;
        }

        var after = await DatasetStateAsync(query, cli.Shutdown);
        PrintChange(before, after, rerunManifest);
        AnsiConsole.MarkupLine($"Outputs: containers [bold]{BlobContainers.Curated}[/] (the table {Dataset}/ and its parts under run={{runId}}/), [bold]{BlobContainers.Rejected}[/] and [bold]{BlobContainers.Results}[/] ({Dataset}/aggregate/, manifests under {Dataset}/run={{runId}}/); copied to [link]{Markup.Escape(output)}[/]");
        AnsiConsole.MarkupLine($"History: [bold]dotnet run --project cli -- table {Dataset}[/]");
        AnsiConsole.MarkupLine($"[green]All runs succeeded[/] in {clock.Elapsed.TotalSeconds:F1}s.");
        return 0;
    }

    private const string Folder = "demo";

    private static async Task<string> UploadAsync(BlobContainerClient incoming, string file, CancellationToken cancellationToken)
    {
        var name = $"{Dataset}/{Folder}/{Path.GetFileName(file)}";
        var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true, cancellationToken);
        return RunIds.ForBlob(Dataset, name, uploaded.Value.ETag.ToString());
    }

    private static async Task<Dictionary<string, RunManifest>> WaitForRunsAsync(DurableTaskClient client, List<string> runIds, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var manifests = new Dictionary<string, RunManifest>();
        // Progress updates in place on a terminal; off one (a script, CI) it stays quiet.
        await AnsiConsole.Progress().AutoClear(true).AutoRefresh(CliOutput.IsTerminal).HideCompleted(!CliOutput.IsTerminal).StartAsync(async progress =>
        {
            var bar = progress.AddTask("runs completed", maxValue: runIds.Count);
            var waits = runIds.Select(async id =>
            {
                var metadata = await WaitForCompletionAsync(client, id, deadline.Token);
                bar.Increment(1);
                return (id, metadata);
            }).ToList();
            foreach (var (id, metadata) in await Task.WhenAll(waits))
            {
                if (metadata.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
                {
                    throw new InvalidOperationException($"run {id} ended {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorMessage}");
                }

                manifests[id] = metadata.ReadOutputAs<RunManifest>()!;
            }
        });
        return manifests;
    }

    /// <summary>The watcher starts runs within about a second; until then the instance does not exist yet.</summary>
    private static async Task<OrchestrationMetadata> WaitForCompletionAsync(DurableTaskClient client, string runId, CancellationToken cancellationToken)
    {
        while (await client.GetInstanceAsync(runId, cancellationToken) is null)
        {
            await Task.Delay(250, cancellationToken);
        }

        return await client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cancellationToken);
    }

    private static void PrintRuns(List<(string File, string RunId)> runs, Dictionary<string, RunManifest> manifests)
    {
        var table = new Table().Title("Runs").AddColumns("file", "run", "status", "rows in", "curated", "rejected", "seconds");
        foreach (var (file, runId) in runs)
        {
            var manifest = manifests[runId];
            table.AddRow(
                file, runId, RunsCommand.StatusMarkup(manifest.Status),
                manifest.Totals.RowsRead.ToString("N0", CultureInfo.InvariantCulture), manifest.Totals.RowsCurated.ToString("N0", CultureInfo.InvariantCulture), manifest.Totals.RowsRejected.ToString("N0", CultureInfo.InvariantCulture),
                manifest.Timings.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));
        }

        var totals = RunTotals.Of(manifests.Values.SelectMany(m => m.Chunks).ToList(), 0);
        table.AddRow("[bold]total[/]", "", "", $"[bold]{totals.RowsRead:N0}[/]", $"[bold]{totals.RowsCurated:N0}[/]", $"[bold]{totals.RowsRejected:N0}[/]", "");
        AnsiConsole.Write(table);
    }

    /// <summary>What the demo shows of the dataset, read from its tables.</summary>
    private sealed record DatasetState(
        long CuratedVersion, long? AggregateVersion, long? AggregateReflects, long Rows, long DistinctTrips,
        QueryResult Aggregate, Dictionary<string, string> Groups, long AggregateTrips, decimal AggregateFare);

    private static async Task<DatasetState> DatasetStateAsync(DatasetQuery query, CancellationToken cancellationToken)
    {
        var counts = await query.RunAsync(Dataset, "SELECT count(*), count(DISTINCT trip_id) FROM curated", cancellationToken: cancellationToken);
        var aggregate = await query.RunAsync(Dataset, """
            SELECT strftime(pickup_day, '%Y-%m-%d') AS pickup_day, payment_type, trips, total_fare, avg_tip, pickup_zones
            FROM aggregate ORDER BY pickup_day, payment_type
            """, cancellationToken: cancellationToken);
        var groups = aggregate.Rows.ToDictionary(
            r => $"{r[0]} {r[1]}",
            r => string.Join("|", r.Skip(2).Select(v => v is null ? "" : QueryOutput.Text(v))),
            StringComparer.Ordinal);
        var row = counts.Rows[0];
        return new DatasetState(
            counts.CuratedVersion, aggregate.AggregateVersion, aggregate.AggregateReflects,
            Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToInt64(row[1], CultureInfo.InvariantCulture),
            aggregate, groups,
            aggregate.Rows.Sum(r => Convert.ToInt64(r[2], CultureInfo.InvariantCulture)),
            aggregate.Rows.Sum(r => r[3] is null ? 0m : Convert.ToDecimal(r[3], CultureInfo.InvariantCulture)));
    }

    private static void PrintAggregate(DatasetState state)
    {
        const int Top = 10;
        var table = new Table()
            .Title($"{Dataset} aggregate (table version {state.AggregateVersion}, curated version {state.AggregateReflects}): top {Math.Min(Top, state.Aggregate.Rows.Count)} of {state.Aggregate.Rows.Count} groups");
        foreach (var column in state.Aggregate.Columns)
        {
            table.AddColumn(Markup.Escape(column));
        }

        foreach (var row in state.Aggregate.Rows.Take(Top))
        {
            table.AddRow(row.Select(value => Markup.Escape(Display(value))).ToArray());
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(
            $"Curated table version [bold]{state.CuratedVersion}[/]: [bold]{state.Rows:N0}[/] rows, {state.DistinctTrips:N0} distinct trip ids; the aggregate counts {state.AggregateTrips:N0} trips.");
        AnsiConsole.MarkupLine($"Every measure: [bold]dotnet run --project cli -- query {Dataset} \"SELECT * FROM aggregate\"[/]");
    }

    private static void PrintChange(DatasetState before, DatasetState after, RunManifest rerun)
    {
        var changed = after.Groups.Count(g => !before.Groups.TryGetValue(g.Key, out var old) || old != g.Value)
            + before.Groups.Keys.Count(k => !after.Groups.ContainsKey(k));
        var table = new Table().Title($"Dataset {Dataset} before and after the re-upload (run {Markup.Escape(rerun.RunId)})")
            .AddColumns("", "before", "after");
        void Row(string what, string was, string now) => table.AddRow(what, was, was == now ? now : $"[bold]{now}[/]");
        string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
        Row("curated table version", N(before.CuratedVersion), N(after.CuratedVersion));
        Row("curated rows", N(before.Rows), N(after.Rows));
        Row("distinct trip ids", N(before.DistinctTrips), N(after.DistinctTrips));
        Row("aggregate table version", before.AggregateVersion?.ToString(CultureInfo.InvariantCulture) ?? "", after.AggregateVersion?.ToString(CultureInfo.InvariantCulture) ?? "");
        Row("aggregate groups", N(before.Aggregate.Rows.Count), N(after.Aggregate.Rows.Count));
        Row("trips in the aggregate", N(before.AggregateTrips), N(after.AggregateTrips));
        Row("total fare in the aggregate", before.AggregateFare.ToString("N2", CultureInfo.InvariantCulture), after.AggregateFare.ToString("N2", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);

        var commit = rerun.Table is { } t ? $"one commit (version {t.Version}): {t.FilesAdded} part(s) added, {t.FilesRemoved} removed; " : "";
        var noDuplicate = after.Rows == after.DistinctTrips && after.AggregateTrips == after.Rows;
        AnsiConsole.MarkupLine($"{commit}{changed} aggregate group(s) changed.");
        AnsiConsole.MarkupLine(noDuplicate
            ? $"[green]No duplicate:[/] {N(after.Rows)} curated rows = {N(after.DistinctTrips)} distinct trip ids = {N(after.AggregateTrips)} trips in the aggregate; the old version of the file is gone from the table."
            : $"[yellow]The table holds {N(after.Rows)} rows for {N(after.DistinctTrips)} distinct trip ids ({N(after.AggregateTrips)} in the aggregate): other inputs of {Dataset} share trip ids.[/]");
    }

    /// <summary>Readable cells: thousands for whole numbers, two decimals for fractions.</summary>
    private static string Display(object? value) => value switch
    {
        null => "",
        long or int or short or System.Numerics.BigInteger => ((IFormattable)value).ToString("N0", CultureInfo.InvariantCulture),
        decimal or double or float => ((IFormattable)value).ToString("N2", CultureInfo.InvariantCulture),
        _ => QueryOutput.Text(value),
    };

    private static async Task CopyOutputsAsync(BlobStore store, IEnumerable<RunManifest> manifests, string folder, CancellationToken cancellationToken)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        foreach (var manifest in manifests)
        {
            // Files only: a table output (results/{dataset}/aggregate/) is a folder, read it with `tributary query`.
            foreach (var path in manifest.Outputs.Where(o => !o.EndsWith('/')).Append($"{BlobContainers.Results}/{StorageLayout.Manifest(manifest.Dataset, manifest.RunId)}"))
            {
                var local = Path.Combine(folder, path.Replace('=', '_'));
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                await store.BlobAt(path).DownloadToAsync(local, cancellationToken);
            }
        }
    }
}
