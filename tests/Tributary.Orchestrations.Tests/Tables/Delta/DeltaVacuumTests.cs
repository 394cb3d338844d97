using Tributary.Orchestrations.Tables.Delta;


namespace Tributary.Orchestrations.Tests.Tables.Delta;

/// <summary>Vacuum deletes expired tombstones and old unreferenced files, never an active or a hidden one.</summary>
public sealed class DeltaVacuumTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    [Fact]
    public async Task Vacuum_deletes_expired_tombstones_and_old_orphans_and_keeps_everything_else()
    {
        var store = new InMemoryDeltaStore();
        var old = Now.AddDays(-30);
        var young = Now.AddHours(-1);
        var expiredRemove = DeltaTestTables.Add("run=1/expired.parquet").ToRemove(Now.AddDays(-8));
        var recentRemove = DeltaTestTables.Add("run=1/recent removed.parquet").ToRemove(Now.AddDays(-1));
        await DeltaCommitter.CommitAsync(
            store,
            "run",
            _ => DeltaCommitPlan.CreateTable(DeltaMetadata.Create(DeltaTestTables.Schema), [DeltaTestTables.Add("run=2/active old.parquet"), DeltaTestTables.Add("run=2/active.parquet")]) with { Removes = [expiredRemove, recentRemove] },
            DeltaCommitOptions.Default,
            CancellationToken.None);
        var snapshot = (await DeltaLog.ReadSnapshotAsync(store))!;

        foreach (var path in new[] { "run=1/expired.parquet", "run=1/recent removed.parquet", "run=2/active old.parquet", "run=3/orphan.parquet", "_tmp/old.parquet", ".hidden/old" })
        {
            store.Put(path, BinaryData.FromString("x"), old);
        }

        store.Put("run=2/active.parquet", BinaryData.FromString("x"), old);
        store.Put("run=4/young orphan.parquet", BinaryData.FromString("x"), young);

        var plan = await DeltaVacuum.PlanAsync(store, snapshot, Retention, Now);
        Assert.Equal(["run=1/expired.parquet"], plan.ExpiredTombstones);
        Assert.Equal(["run=3/orphan.parquet"], plan.Unreferenced);
        Assert.Equal(2, plan.ActiveFilesKept);

        Assert.Equal(2, await DeltaVacuum.ExecuteAsync(store, plan));
        Assert.NotNull(await store.ReadAsync("run=2/active old.parquet"));
        Assert.NotNull(await store.ReadAsync("run=1/recent removed.parquet"));
        Assert.NotNull(await store.ReadAsync("run=4/young orphan.parquet"));
        Assert.NotNull(await store.ReadAsync(DeltaPaths.Commit(0)));
        Assert.Null(await store.ReadAsync("run=3/orphan.parquet"));
    }

    [Fact]
    public void A_file_removed_and_added_again_is_active_and_never_deleted_even_with_zero_retention()
    {
        var add = DeltaTestTables.Add("run=1/part.parquet");
        var snapshot = new DeltaSnapshot(
            5,
            DeltaProtocol.Default,
            DeltaMetadata.Create(DeltaTestTables.Schema),
            new Dictionary<string, DeltaAdd> { [add.Path] = add },
            new Dictionary<string, DeltaRemove> { ["run=1/part%2Eparquet"] = add.ToRemove(Now.AddDays(-100)) with { Path = "run=1/part%2Eparquet" } },
            new Dictionary<string, DeltaTxn>(),
            new Dictionary<string, long>());
        var listing = new[] { new DeltaStoreEntry("run=1/part.parquet", 1, Now.AddDays(-100)) };

        var plan = DeltaVacuum.Plan(snapshot, listing, TimeSpan.Zero, Now);

        Assert.Equal(0, plan.Count);
    }
}
