using Tributary.Orchestrations.Tables.Delta;


namespace Tributary.Orchestrations.Tests.Tables.Delta;

/// <summary>Optimistic concurrency over put-if-absent, and txn-based idempotency.</summary>
public sealed class DeltaCommitterTests
{
    [Fact]
    public async Task The_same_appId_committed_twice_gives_one_commit_and_the_replay_finds_its_version()
    {
        var store = new InMemoryDeltaStore();
        await DeltaTestTables.CommitAsync(store, "run-a", DeltaTestTables.Add("a.parquet"));
        var first = await DeltaTestTables.CommitAsync(store, "run-b", DeltaTestTables.Add("b.parquet"));
        await DeltaTestTables.CommitAsync(store, "run-c", DeltaTestTables.Add("c.parquet"));

        var planned = false;
        var replay = await DeltaCommitter.CommitAsync(store, "run-b", s => { planned = true; return new DeltaCommitPlan([DeltaTestTables.Add("b.parquet")], []); }, DeltaCommitOptions.Default, CancellationToken.None);

        Assert.Equal(new DeltaCommitResult(1, true, 0, 0, 0, 0), replay with { Snapshot = null });
        Assert.False(first.AlreadyCommitted);
        Assert.False(planned);
        Assert.Equal(2, (await DeltaLog.ReadSnapshotAsync(store))!.Version);

        // Still found after the commit has gone into a checkpoint (its txn version is the commit version).
        for (var i = 3; i <= 10; i++)
        {
            await DeltaTestTables.CommitAsync(store, $"run-{i}", DeltaTestTables.Add($"{i}.parquet"));
        }

        var snapshot = (await DeltaLog.ReadSnapshotAsync(store))!;
        Assert.Equal(10, snapshot.CheckpointVersion);
        Assert.Equal(1, (await DeltaCommitter.CommitAsync(store, "run-b", s => throw new InvalidOperationException("must not plan"), DeltaCommitOptions.Default, CancellationToken.None)).Version);
    }

    [Fact]
    public async Task Sixteen_concurrent_committers_give_contiguous_versions_and_lose_no_file()
    {
        var store = new InMemoryDeltaStore();
        await DeltaTestTables.CommitAsync(store, "create");
        using var start = new SemaphoreSlim(0);
        var committers = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await DeltaCommitter.CommitAsync(store, $"run-{i}", DeltaTestTables.Plan([DeltaTestTables.Add($"run={i}/part-0.parquet"), DeltaTestTables.Add($"run={i}/part-1.parquet")]), DeltaCommitOptions.Default with { MaxAttempts = 40 }, CancellationToken.None);
        })).ToList();
        start.Release(16);
        var results = await Task.WhenAll(committers);

        Assert.Equal(Enumerable.Range(1, 16).Select(v => (long)v), results.Select(r => r.Version).Order());
        Assert.All(results, r => Assert.Equal(r.Conflicts + 1, r.Attempts));
        var snapshot = (await DeltaLog.ReadSnapshotAsync(store))!;
        Assert.Equal(16, snapshot.Version);
        Assert.Equal(32, snapshot.ActiveFiles.Count);
        Assert.Equal(17, snapshot.Transactions.Count);

        var adds = new List<string>();
        for (var v = 0; v <= 16; v++)
        {
            var actions = DeltaLogFile.Read((await store.ReadAsync(DeltaPaths.Commit(v)))!);
            adds.AddRange(actions.Where(a => a.Add is not null).Select(a => a.Add!.Path));
            Assert.Equal(v == 0 ? null : v - 1, actions.Single(a => a.CommitInfo is not null).CommitInfo!.ReadVersion);
        }

        Assert.Equal(32, adds.Count);
        Assert.Equal(32, adds.Distinct().Count());
    }

    [Fact]
    public async Task A_conflict_re_plans_against_the_newer_snapshot()
    {
        var store = new InMemoryDeltaStore();
        await DeltaTestTables.CommitAsync(store, "create", DeltaTestTables.Add("old.parquet"));
        var seen = new List<long>();
        var result = await DeltaCommitter.CommitAsync(
            store,
            "replace",
            snapshot =>
            {
                seen.Add(snapshot!.Version);
                if (seen.Count == 1)
                {
                    // Another writer commits between our read and our write.
                    DeltaTestTables.CommitAsync(store, "other", DeltaTestTables.Add("other.parquet")).GetAwaiter().GetResult();
                }

                return new DeltaCommitPlan([DeltaTestTables.Add("new.parquet")], snapshot.ActiveFiles.Values.Select(f => f.ToRemove(DateTimeOffset.UtcNow)).ToList());
            },
            DeltaCommitOptions.Default,
            CancellationToken.None);

        Assert.Equal([0L, 1L], seen);
        Assert.Equal((2L, 2, 1, 2, 1), (result.Version, result.FilesRemoved, result.FilesAdded, result.Attempts, result.Conflicts));
        Assert.Equal(["new.parquet"], (await DeltaLog.ReadSnapshotAsync(store))!.ActiveFiles.Keys);
    }

    [Fact]
    public async Task Past_the_attempt_bound_the_commit_fails_clearly()
    {
        var store = new AlwaysTakenStore();
        await store.Inner.CreateIfAbsentAsync(DeltaPaths.Commit(0), DeltaLogFile.Write([DeltaAction.Of(DeltaProtocol.Default), DeltaAction.Of(DeltaMetadata.Create(DeltaTestTables.Schema))]));
        var error = await Assert.ThrowsAsync<DeltaCommitConflictException>(() =>
            DeltaCommitter.CommitAsync(store, "run", DeltaTestTables.Plan([DeltaTestTables.Add("x.parquet")]), DeltaCommitOptions.Default with { MaxAttempts = 3 }, CancellationToken.None));
        Assert.Equal(3, error.Attempts);
        Assert.Contains("3 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_to_do_writes_nothing_and_a_first_commit_needs_protocol_and_metadata()
    {
        var store = new InMemoryDeltaStore();
        await Assert.ThrowsAsync<InvalidOperationException>(() => DeltaCommitter.CommitAsync(store, "run", _ => new DeltaCommitPlan([DeltaTestTables.Add("a.parquet")], []), DeltaCommitOptions.Default, CancellationToken.None));
        var nothing = await DeltaCommitter.CommitAsync(store, "run", _ => DeltaCommitPlan.Nothing, DeltaCommitOptions.Default, CancellationToken.None);
        Assert.True(nothing.NothingToDo);
        Assert.Equal(-1, nothing.Version);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task An_append_only_table_refuses_removes()
    {
        var store = new InMemoryDeltaStore();
        var metadata = DeltaMetadata.Create(DeltaTestTables.Schema, configuration: new Dictionary<string, string> { ["delta.appendOnly"] = "true" });
        await DeltaCommitter.CommitAsync(store, "create", _ => DeltaCommitPlan.CreateTable(metadata, [DeltaTestTables.Add("a.parquet")]), DeltaCommitOptions.Default, CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => DeltaCommitter.CommitAsync(store, "delete", s => new DeltaCommitPlan([], [s!.ActiveFiles.Values.Single().ToRemove(DateTimeOffset.UtcNow)]), DeltaCommitOptions.Default, CancellationToken.None));
    }

    private sealed class AlwaysTakenStore : IDeltaStore
    {
        public InMemoryDeltaStore Inner { get; } = new();

        public Task<BinaryData?> ReadAsync(string path, CancellationToken cancellationToken = default) => Inner.ReadAsync(path, cancellationToken);

        public Task<bool> CreateIfAbsentAsync(string path, BinaryData content, CancellationToken cancellationToken = default) => Task.FromResult(false);

        public Task WriteAsync(string path, BinaryData content, CancellationToken cancellationToken = default) => Inner.WriteAsync(path, content, cancellationToken);

        public IAsyncEnumerable<DeltaStoreEntry> ListAsync(string prefix, CancellationToken cancellationToken = default) => Inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => Inner.DeleteAsync(path, cancellationToken);
    }
}
