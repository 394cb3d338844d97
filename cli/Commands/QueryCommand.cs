using System.CommandLine;
using Azure.Storage.Blobs;
using Tributary.Cli.Hosting;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;

namespace Tributary.Cli.Commands;

/// <summary>`tributary query DATASET "SQL" [--version N] [--json | --csv]`: DuckDB over the views curated and aggregate.</summary>
public static class QueryCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "The dataset." }.RefusingUnsafeNames();
        var sql = new Argument<string>("sql") { Description = "DuckDB SQL over the views curated and aggregate." };
        var version = new Option<long?>("--version") { Description = "Curated table version to read (time travel); the aggregate as of that version." };
        var json = new Option<bool>("--json") { Description = "One JSON document: an array of objects." };
        var csv = new Option<bool>("--csv") { Description = "CSV with a header line." };
        var command = new Command("query", "Run SQL over a dataset's curated table and aggregate.") { dataset, sql, version, json, csv };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(json) && parse.GetValue(csv))
            {
                Console.Error.WriteLine("tributary: --json and --csv exclude each other.");
                return 2;
            }

            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            var machine = parse.GetValue(json) || parse.GetValue(csv);

            // Machine-readable output keeps stdout to the document: progress goes to stderr.
            await using var storage = await StorageConnection.OpenAsync(cli.Configuration, machine ? Console.Error.WriteLine : CliContext.Say, cli.Shutdown);
            var options = cli.Configuration.Pipeline();
            var query = new DatasetQuery(new DatasetTables(new BlobStore(new BlobServiceClient(storage.ConnectionString))), new TableFileCache(options), options);
            QueryResult result;
            try
            {
                result = await query.RunAsync(parse.GetValue(dataset)!, parse.GetValue(sql)!, parse.GetValue(version), cli.Shutdown);
            }
            catch (DatasetQueryException e)
            {
                Console.Error.WriteLine($"tributary: {e.Message}");
                return 1;
            }

            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                QueryOutput.WriteJson(result, stdout);
            }
            else if (parse.GetValue(csv))
            {
                QueryOutput.WriteCsv(result, Console.Out);
            }
            else
            {
                QueryOutput.WriteTable(result);
                var aggregate = result.AggregateVersion is { } a ? $", aggregate version {a} (reflects curated version {result.AggregateReflects})" : ", no aggregate yet";
                CliContext.Say($"{result.Rows.Count} row(s) · curated version {result.CuratedVersion}{aggregate}");
            }

            return 0;
        });
        return command;
    }
}
