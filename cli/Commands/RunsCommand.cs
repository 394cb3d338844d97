using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Spectre.Console;
using Tributary.Cli.Hosting;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Commands;

/// <summary>`tributary runs [--dataset D] [--status S] [--kind K] [--json]` and `tributary runs show ID [--json]`.</summary>
public static class RunsCommand
{
    public static Command Create()
    {
        var dataset = new Option<string?>("--dataset") { Description = "Only runs of this dataset." }.RefusingUnsafeNames();
        var status = new Option<string?>("--status") { Description = $"Only runs with this status ({string.Join(", ", RunsApi.Statuses)})." };
        status.AcceptOnlyFromAmong([.. RunsApi.Statuses.Select(s => s.ToString()), .. RunsApi.Statuses.Select(s => s.ToString().ToLowerInvariant())]);
        var kind = new Option<string?>("--kind") { Description = "Only ingest runs or only backfills." };
        kind.AcceptOnlyFromAmong(RunKinds.Ingest, RunKinds.Backfill);
        var json = new Option<bool>("--json") { Description = "One JSON document on stdout ({runs: [...]}, the shape of GET /api/runs)." };
        var command = new Command("runs", "List runs and backfills with their status.") { dataset, status, kind, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            await using var storage = await StorageConnection.OpenAsync(cli.Configuration, CliContext.Say, cli.Shutdown);
            var catalog = new RunCatalog(new BlobStore(new BlobServiceClient(storage.ConnectionString)));
            var engine = Engine(cli.Configuration, storage.ConnectionString);
            var runs = (await catalog.ListAsync(parse.GetValue(dataset), parse.GetValue(status) is { } wanted ? Enum.Parse<RunStatus>(wanted, ignoreCase: true) : null, engine.StatusAsync, cli.Shutdown))
                .Where(r => parse.GetValue(kind) is not { } k || r.Kind == k)
                .ToList();
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(new RunListResponse(runs, null));
                return 0;
            }

            CliOutput.WriteTable(
                ["run", "kind", "dataset", "status", "inputs", "rows read", "curated", "rejected", "taken in (UTC)"],
                runs.Select(run => (IReadOnlyList<(string, string?)>)
                [
                    (run.RunId, null), (run.Kind, null), (run.Dataset, null), (run.Status.ToString(), StatusMarkup(run.Status)), (run.Inputs.ToString(CultureInfo.InvariantCulture), null),
                    (Number(run.Totals?.RowsRead), null), (Number(run.Totals?.RowsCurated), null), (Number(run.Totals?.RowsRejected), null),
                    (run.ClaimedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), null),
                ]));
            if (CliOutput.IsTerminal)
            {
                Console.WriteLine($"{runs.Count} run(s)");
            }

            return 0;
        });

        var runId = new Argument<string>("run") { Description = "The run id." };
        var showJson = new Option<bool>("--json") { Description = "The run's manifest as one JSON document on stdout (the shape of GET /api/runs/{id}) instead of the summary." };
        var show = new Command("show", "Print a summary of one run (--json: its manifest; a backfill's record as JSON).") { runId, showJson };
        show.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            var id = parse.GetValue(runId)!;
            if (ApiValidation.RunIdProblem(id) is { } invalid)
            {
                Console.Error.WriteLine($"tributary: {invalid}");
                return 2;
            }

            await using var storage = await StorageConnection.OpenAsync(cli.Configuration, CliContext.Say, cli.Shutdown);
            var store = new BlobStore(new BlobServiceClient(storage.ConnectionString));
            var catalog = new RunCatalog(store);
            var engine = Engine(cli.Configuration, storage.ConnectionString);
            var claim = await catalog.FindClaimAsync(id, cli.Shutdown);
            if (claim is null)
            {
                var backfill = await store.ReadJsonAsync<BackfillRecord>(BlobContainers.State, StorageLayout.BackfillRecord(id), cli.Shutdown);
                if (backfill is null)
                {
                    Console.Error.WriteLine($"tributary: no run '{id}'.");
                    return 3;
                }

                var backfillStatus = await engine.StatusAsync(id, RunKinds.Backfill, cli.Shutdown) ?? RunStatus.Pending;
                CliOutput.WriteJson(new { runId = id, kind = RunKinds.Backfill, dataset = backfill.Dataset, status = backfillStatus, request = backfill.Request, startedAt = backfill.StartedAt });
                return 0;
            }

            var manifest = await catalog.ReadManifestAsync(claim.Request.Dataset, id, cli.Shutdown);
            var status = manifest?.Status ?? await engine.StatusAsync(id, RunKinds.Ingest, cli.Shutdown) ?? RunStatus.Running;
            if (parse.GetValue(showJson))
            {
                CliOutput.WriteJson(new RunStatusResponse(id, claim.Request.Dataset, status, null, manifest));
                return 0;
            }

            if (manifest is null)
            {
                Console.WriteLine($"Run {id} has no manifest yet: it is {status} (taken in {claim.ClaimedAt:u}).");
                return 0;
            }

            var reasons = await RunSummaryText.ReadReasonsAsync(store, manifest, cli.Shutdown);
            foreach (var line in RunSummaryText.Lines(manifest, reasons))
            {
                Console.WriteLine(line);
            }

            return 0;
        });
        command.Subcommands.Add(show);
        return command;
    }

    private static EngineStatusReader Engine(IConfiguration configuration, string connectionString) =>
        new(connectionString, configuration.Pipeline().TaskHub);

    private static string Number(long? value) => value?.ToString(CliOutput.IsTerminal ? "N0" : "D", CultureInfo.InvariantCulture) ?? "";

    public static string StatusMarkup(RunStatus status) => status switch
    {
        RunStatus.Succeeded => "[green]Succeeded[/]",
        RunStatus.Failed => "[red]Failed[/]",
        _ => $"[yellow]{status}[/]",
    };
}
