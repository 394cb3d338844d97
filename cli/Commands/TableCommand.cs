using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Cli.Commands;

/// <summary>`tributary table DATASET [--json]`: the curated table's history, newest first.</summary>
public static class TableCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "The dataset whose curated table to show." }.RefusingUnsafeNames();
        var json = new Option<bool>("--json") { Description = "Print the history as JSON." };
        var limit = new Option<int?>("--limit") { Description = "Only the newest N commits." };
        var command = new Command("table", "Print the history of a dataset's curated Delta table: version, time, operation, run, files added/removed, rows.") { dataset, json, limit };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            await using var storage = await StorageConnection.OpenAsync(cli.Configuration, CliContext.Say, cli.Shutdown);
            var tables = new DatasetTables(new BlobStore(new BlobServiceClient(storage.ConnectionString)));
            var name = parse.GetValue(dataset)!;
            var history = await DeltaLog.ReadHistoryAsync(tables.Curated(name), parse.GetValue(limit), cli.Shutdown);
            var rows = history.OrderByDescending(h => h.Version).Select(h => new TableHistoryRow(
                h.Version, h.Timestamp, h.Operation, h.Field("runId")?.GetString(), h.FilesAdded, h.FilesRemoved, h.RowsAdded)).ToList();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, BlobStore.Json));
                return 0;
            }

            if (rows.Count == 0)
            {
                Console.WriteLine($"Dataset '{name}' has no curated table yet: no run has succeeded.");
                return 0;
            }

            CliOutput.WriteTable(
                ["version", "time (UTC)", "operation", "run", "files added", "files removed", "rows added"],
                rows.Select(row => (IReadOnlyList<(string Text, string? Markup)>)
                [
                    (row.Version.ToString(CultureInfo.InvariantCulture), null),
                    (row.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), null),
                    (row.Operation ?? "", null),
                    (row.RunId ?? "", null),
                    (row.FilesAdded.ToString(CultureInfo.InvariantCulture), null),
                    (row.FilesRemoved.ToString(CultureInfo.InvariantCulture), null),
                    (row.RowsAdded?.ToString(CultureInfo.InvariantCulture) ?? "", row.RowsAdded?.ToString("N0", CultureInfo.InvariantCulture)),
                ]));
            return 0;
        });
        return command;
    }

    private sealed record TableHistoryRow(long Version, DateTimeOffset Timestamp, string? Operation, string? RunId, int FilesAdded, int FilesRemoved, long? RowsAdded);
}
