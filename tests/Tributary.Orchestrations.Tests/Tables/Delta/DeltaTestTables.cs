using Tributary.Orchestrations.Tables.Delta;


namespace Tributary.Orchestrations.Tests.Tables.Delta;

/// <summary>Small builders shared by the Delta tests.</summary>
internal static class DeltaTestTables
{
    public static readonly DeltaSchema Schema = new(
        new DeltaField("trip_id", DeltaTypes.Long, Nullable: false),
        new DeltaField("pickup", DeltaTypes.Timestamp),
        new DeltaField("fare", DeltaTypes.Decimal(10, 2)));

    public static DeltaAdd Add(string path, long rows = 10, DateTimeOffset? time = null) =>
        DeltaAdd.ForFile(path, 1000 + rows, time ?? DateTimeOffset.UtcNow, DeltaFileStats.RecordsOnly(rows));

    /// <summary>A plan that creates the table when there is none, then adds the files and removes the named ones.</summary>
    public static Func<DeltaSnapshot?, DeltaCommitPlan> Plan(IReadOnlyList<DeltaAdd> adds, Func<DeltaSnapshot?, IEnumerable<string>>? removes = null, object? runId = null) =>
        snapshot =>
        {
            var removed = (removes?.Invoke(snapshot) ?? [])
                .Where(path => snapshot?.ActiveFiles.ContainsKey(path) == true)
                .Select(path => snapshot!.ActiveFiles[path].ToRemove(DateTimeOffset.UtcNow))
                .ToList();
            var plan = snapshot is null ? DeltaCommitPlan.CreateTable(DeltaMetadata.Create(Schema), adds) with { Removes = removed } : new DeltaCommitPlan(adds, removed);
            return plan with { CommitInfo = new Dictionary<string, object?> { ["runId"] = runId ?? "run", ["inputs"] = new[] { "incoming/a.csv" } } };
        };

    public static async Task<DeltaCommitResult> CommitAsync(IDeltaStore store, string appId, params DeltaAdd[] adds) =>
        await DeltaCommitter.CommitAsync(store, appId, Plan(adds), DeltaCommitOptions.Default, CancellationToken.None);

    public static async Task<IReadOnlyList<string>> CommitLinesAsync(IDeltaStore store, long version) =>
        (await store.ReadAsync(DeltaPaths.Commit(version)))!.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A comparable rendering of a snapshot: every piece of state, serialized.</summary>
    public static string Describe(DeltaSnapshot snapshot) =>
        string.Join('\n', new[]
        {
            $"version {snapshot.Version}",
            System.Text.Json.JsonSerializer.Serialize(snapshot.Protocol),
            System.Text.Json.JsonSerializer.Serialize(snapshot.Metadata),
        }
        .Concat(snapshot.ActiveFiles.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => "add " + System.Text.Json.JsonSerializer.Serialize(f.Value)))
        .Concat(snapshot.Tombstones.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => "remove " + System.Text.Json.JsonSerializer.Serialize(f.Value)))
        .Concat(snapshot.Transactions.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"txn {System.Text.Json.JsonSerializer.Serialize(t.Value)} in {snapshot.CommittedIn(t.Key)}")));
}
