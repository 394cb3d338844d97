using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.DurableTask.Client;
using Spectre.Console;
using Tributary.Cli.Hosting;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Commands;

/// <summary>
/// `tributary demo`: generates sample taxi files, starts the embedded runtime, drops the files into
/// incoming/, waits for every run and prints what came out.
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
        var batch = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var runs = new List<(string File, string RunId)>();
        foreach (var file in files)
        {
            var name = $"{Dataset}/demo-{batch}/{Path.GetFileName(file)}";
            var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true, cli.Shutdown);
            runs.Add((Path.GetFileName(file), RunIds.ForBlob(Dataset, name, uploaded.Value.ETag.ToString())));
        }

        CliContext.Say($"Dropped {files.Count} files into {BlobContainers.Incoming}/{Dataset}/demo-{batch}/");
        var manifests = await WaitForRunsAsync(host.Client, runs.Select(r => r.RunId).ToList(), timeout, cli.Shutdown);

        PrintRuns(runs, manifests);
        var firstDone = manifests.Values.FirstOrDefault(m => m.Aggregation?.ResultRows > 0);
        if (firstDone is not null)
        {
            await PrintAggregateAsync(new BlobStore(blobs), firstDone, cli.Shutdown);
        }

        var output = Path.Combine(demoFolder, "output");
        await CopyOutputsAsync(new BlobStore(blobs), manifests.Values, output, cli.Shutdown);
        var failed = manifests.Values.Count(m => m.Status != RunStatus.Succeeded);
        AnsiConsole.MarkupLine($"Outputs: containers [bold]{BlobContainers.Curated}[/], [bold]{BlobContainers.Rejected}[/] and [bold]{BlobContainers.Results}[/] under {Dataset}/run={{runId}}/; copied to [link]{Markup.Escape(output)}[/]");
        AnsiConsole.MarkupLine($"{(failed == 0 ? "[green]All runs succeeded[/]" : $"[red]{failed} run(s) failed[/]")} in {clock.Elapsed.TotalSeconds:F1}s.");
        return failed == 0 ? 0 : 1;
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

    private static async Task PrintAggregateAsync(BlobStore store, RunManifest manifest, CancellationToken cancellationToken)
    {
        var summary = await store.ReadJsonAsync<AggregationSummary>(BlobContainers.Results, StorageLayout.AggregateSummary(manifest.Dataset, manifest.RunId), cancellationToken);
        if (summary is null || summary.Preview.ValueKind != JsonValueKind.Array || summary.Preview.GetArrayLength() == 0)
        {
            return;
        }

        var first = summary.Preview[0];
        var table = new Table().Title($"Aggregate of run {manifest.RunId} (top {Math.Min(10, summary.Preview.GetArrayLength())} of {summary.Rows} rows)");
        foreach (var property in first.EnumerateObject())
        {
            table.AddColumn(property.Name);
        }

        foreach (var row in summary.Preview.EnumerateArray().Take(10))
        {
            table.AddRow(row.EnumerateObject().Select(p => Markup.Escape(Display(p.Value))).ToArray());
        }

        AnsiConsole.Write(table);
    }

    /// <summary>Readable cells: money-like precision for fractions, dates without a midnight time.</summary>
    private static string Display(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var whole) => whole.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.Number => value.GetDouble().ToString("N2", System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.String when value.GetString()!.EndsWith(" 00:00:00", StringComparison.Ordinal) => value.GetString()![..^9],
        JsonValueKind.Null => "",
        _ => value.ToString(),
    };

    private static async Task CopyOutputsAsync(BlobStore store, IEnumerable<RunManifest> manifests, string folder, CancellationToken cancellationToken)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        foreach (var manifest in manifests)
        {
            foreach (var path in manifest.Outputs.Append($"{BlobContainers.Results}/{StorageLayout.Manifest(manifest.Dataset, manifest.RunId)}"))
            {
                var local = Path.Combine(folder, path.Replace('=', '_'));
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                await store.BlobAt(path).DownloadToAsync(local, cancellationToken);
            }
        }
    }
}
