using System.CommandLine;
using Azure.Storage.Blobs;
using Tributary.Cli.Hosting;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;

namespace Tributary.Cli.Commands;

/// <summary>`tributary aggregate DATASET --full`: recomputes the whole dataset aggregate over the current curated table.</summary>
public static class AggregateCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "The dataset." }.RefusingUnsafeNames();
        var full = new Option<bool>("--full") { Description = "Recompute every group (the only mode by hand; runs refresh the affected groups).", Required = true };
        var command = new Command("aggregate", "Recompute a dataset's aggregate table over its current curated table.") { dataset, full };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            var name = parse.GetValue(dataset)!;
            var options = cli.Configuration.Pipeline();
            DatasetDefinition? definition;
            try
            {
                definition = new DatasetCatalog(options.DatasetsPath).Find(name);
            }
            catch (DatasetDefinitionException e)
            {
                Console.Error.WriteLine($"tributary: {e.Message}");
                return 1;
            }

            if (definition is null)
            {
                Console.Error.WriteLine($"tributary: unknown dataset '{name}' (no definition in {options.DatasetsPath}).");
                return 1;
            }

            await using var storage = await StorageConnection.OpenAsync(cli.Configuration, CliContext.Say, cli.Shutdown);
            var refresher = new AggregateRefresher(new DatasetTables(new BlobStore(new BlobServiceClient(storage.ConnectionString))), new TableFileCache(options), options);
            try
            {
                var result = await refresher.RefreshFullAsync(name, definition.Aggregation, runId: null, cli.Shutdown);
                Console.WriteLine($"aggregate of {name}: version {result.AggregateVersion}, {result.GroupsRefreshed} group(s), reflects curated version {result.CuratedVersion}");
                return 0;
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"tributary: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
