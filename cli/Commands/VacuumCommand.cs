using System.CommandLine;
using System.Globalization;
using Azure.Storage.Blobs;
using Tributary.Cli.Runtime;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Cli.Commands;

/// <summary>
/// `tributary vacuum DATASET [--retain 168h] [--dry-run]`: deletes curated files removed longer ago than the retention
/// and parts never committed (failed and canceled runs) older than it. Never an active file (DeltaVacuum).
/// </summary>
public static class VacuumCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "The dataset whose curated table to vacuum." }.RefusingUnsafeNames();
        var retain = new Option<string>("--retain") { Description = "Keep files younger than this: 168h, 7d, 30m (default 168h).", DefaultValueFactory = _ => "168h" };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be deleted, delete nothing." };
        var command = new Command("vacuum", "Delete old removed files and never-committed parts of a dataset's curated table.") { dataset, retain, dryRun };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!TryParseRetention(parse.GetValue(retain)!, out var retention))
            {
                Console.Error.WriteLine($"tributary: --retain '{parse.GetValue(retain)}' is not a duration such as 168h, 7d or 30m.");
                return 2;
            }

            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            await using var storage = await StorageConnection.OpenAsync(cli.Configuration, CliContext.Say, cli.Shutdown);
            var store = new DatasetTables(new BlobStore(new BlobServiceClient(storage.ConnectionString))).Curated(parse.GetValue(dataset)!);
            var snapshot = await DeltaLog.ReadSnapshotAsync(store, cancellationToken: cli.Shutdown);
            if (snapshot is null)
            {
                // Without a log every part is unreferenced; deleting them needs a table to say none is active.
                Console.WriteLine($"Dataset '{parse.GetValue(dataset)}' has no curated table yet: nothing to vacuum.");
                return 0;
            }

            var plan = await DeltaVacuum.PlanAsync(store, snapshot, retention, DateTimeOffset.UtcNow, cli.Shutdown);
            foreach (var path in plan.ExpiredTombstones)
            {
                Console.WriteLine($"removed      {path}");
            }

            foreach (var path in plan.Unreferenced)
            {
                Console.WriteLine($"uncommitted  {path}");
            }

            if (parse.GetValue(dryRun))
            {
                Console.WriteLine($"Would delete {plan.Count} file(s) ({plan.ExpiredTombstones.Count} removed, {plan.Unreferenced.Count} never committed); {plan.ActiveFilesKept} active file(s) kept.");
                return 0;
            }

            var deleted = await DeltaVacuum.ExecuteAsync(store, plan, cli.Shutdown);
            Console.WriteLine($"Deleted {deleted} file(s) ({plan.ExpiredTombstones.Count} removed, {plan.Unreferenced.Count} never committed); {plan.ActiveFilesKept} active file(s) kept.");
            return 0;
        });
        return command;
    }

    public static bool TryParseRetention(string text, out TimeSpan retention)
    {
        retention = default;
        text = text.Trim();
        if (text.Length < 2 || !double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount < 0)
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out retention) && retention >= TimeSpan.Zero;
        }

        retention = char.ToLowerInvariant(text[^1]) switch
        {
            'd' => TimeSpan.FromDays(amount),
            'h' => TimeSpan.FromHours(amount),
            'm' => TimeSpan.FromMinutes(amount),
            's' => TimeSpan.FromSeconds(amount),
            _ => TimeSpan.MinValue,
        };
        return retention >= TimeSpan.Zero;
    }
}
