using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Spectre.Console;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Commands;

/// <summary>`tributary runs [--dataset D] [--status S]` and `tributary runs show ID`.</summary>
public static class RunsCommand
{
    public static Command Create()
    {
        var dataset = new Option<string?>("--dataset") { Description = "Only runs of this dataset." };
        var status = new Option<string?>("--status") { Description = "Only runs with this status (Succeeded, Failed, Running)." };
        var command = new Command("runs", "List runs with their status.") { dataset, status };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            await using var storage = await StorageConnection.OpenAsync(cli.Configuration, CliContext.Say, cli.Shutdown);
            var catalog = new RunCatalog(new BlobStore(new BlobServiceClient(storage.ConnectionString)));
            var runs = await catalog.ListAsync(parse.GetValue(dataset), parse.GetValue(status) is { } wanted ? Enum.Parse<RunStatus>(wanted, ignoreCase: true) : null, cli.Shutdown);
            var table = new Table().AddColumns("run", "dataset", "status", "inputs", "rows read", "curated", "rejected", "taken in (UTC)");
            foreach (var run in runs)
            {
                table.AddRow(
                    Markup.Escape(run.RunId), Markup.Escape(run.Dataset), StatusMarkup(run.Status), run.Inputs.ToString(CultureInfo.InvariantCulture),
                    run.Totals?.RowsRead.ToString("N0", CultureInfo.InvariantCulture) ?? "", run.Totals?.RowsCurated.ToString("N0", CultureInfo.InvariantCulture) ?? "", run.Totals?.RowsRejected.ToString("N0", CultureInfo.InvariantCulture) ?? "",
                    run.ClaimedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
            Console.WriteLine($"{runs.Count} run(s)");
            return 0;
        });

        var runId = new Argument<string>("run") { Description = "The run id." };
        var show = new Command("show", "Print one run's manifest.") { runId };
        show.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            await using var storage = await StorageConnection.OpenAsync(cli.Configuration, CliContext.Say, cli.Shutdown);
            var catalog = new RunCatalog(new BlobStore(new BlobServiceClient(storage.ConnectionString)));
            var id = parse.GetValue(runId)!;
            var claim = await catalog.FindClaimAsync(id, cli.Shutdown);
            if (claim is null)
            {
                Console.Error.WriteLine($"tributary: no run '{id}'.");
                return 3;
            }

            var manifest = await catalog.ReadManifestAsync(claim.Request.Dataset, id, cli.Shutdown);
            Console.WriteLine(manifest is null
                ? $"Run {id} has no manifest yet: it is still running (taken in {claim.ClaimedAt:u})."
                : JsonSerializer.Serialize(manifest, BlobStore.Json));
            return 0;
        });
        command.Subcommands.Add(show);
        return command;
    }

    public static string StatusMarkup(RunStatus status) => status switch
    {
        RunStatus.Succeeded => "[green]Succeeded[/]",
        RunStatus.Failed => "[red]Failed[/]",
        _ => $"[yellow]{status}[/]",
    };
}
