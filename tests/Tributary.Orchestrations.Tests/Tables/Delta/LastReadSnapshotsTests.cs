using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tests.Tables.Delta;

/// <summary>Snapshots carried forward equal fresh reads, and read only the commit files after the one kept.</summary>
public sealed class LastReadSnapshotsTests
{
    [Fact]
    public async Task The_latest_version_is_carried_forward_from_the_last_read_and_equals_a_fresh_read()
    {
        var store = await TableOfAsync(commits: 4);
        var snapshots = new LastReadSnapshots();
        Assert.Equal(3, (await snapshots.ReadAsync(store))!.Version);

        // Another writer commits twice, one of them replacing a file; a checkpoint is not needed to find them.
        await DeltaCommitter.CommitAsync(store, "run-4", DeltaTestTables.Plan([DeltaTestTables.Add("4.parquet")], _ => ["0.parquet"]));
        await DeltaTestTables.CommitAsync(store, "run-5", DeltaTestTables.Add("5.parquet"));
        store.Reads.Clear();

        var carried = (await snapshots.ReadAsync(store))!;
        var reads = store.Reads.ToList();

        Assert.Equal(DeltaTestTables.Describe((await DeltaLog.ReadSnapshotAsync(store))!), DeltaTestTables.Describe(carried));
        Assert.Equal([DeltaPaths.Commit(4), DeltaPaths.Commit(5), DeltaPaths.Commit(6)], reads);
    }

    [Fact]
    public async Task A_version_asked_for_is_exactly_that_version_whether_before_at_or_after_the_one_kept()
    {
        var store = await TableOfAsync(commits: 6);
        var snapshots = new LastReadSnapshots();
        await snapshots.ReadAsync(store, 3);
        foreach (var version in new long[] { 3, 5, 1, 4 })
        {
            var read = (await snapshots.ReadAsync(store, version))!;
            Assert.Equal(DeltaTestTables.Describe((await DeltaLog.ReadSnapshotAsync(store, version))!), DeltaTestTables.Describe(read));
        }

        Assert.Null(await snapshots.ReadAsync(store, 9));
    }

    [Fact]
    public async Task Each_table_keeps_its_own_snapshot()
    {
        var (a, b) = (new CountingStore(), new CountingStore());
        await DeltaTestTables.CommitAsync(a, "run-a", DeltaTestTables.Add("a.parquet"));
        await DeltaTestTables.CommitAsync(b, "run-b", DeltaTestTables.Add("b.parquet"));
        await DeltaTestTables.CommitAsync(b, "run-b2", DeltaTestTables.Add("b2.parquet"));

        var snapshots = new LastReadSnapshots();
        await snapshots.ReadAsync(b);
        var readA = (await snapshots.ReadAsync(a))!;
        var readB = (await snapshots.ReadAsync(b))!;

        Assert.Equal(["a.parquet"], readA.ActiveFiles.Keys);
        Assert.Equal(["b.parquet", "b2.parquet"], readB.ActiveFiles.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>A table of <paramref name="commits"/> commits (versions 0 to commits - 1), each adding "{version}.parquet".</summary>
    private static async Task<CountingStore> TableOfAsync(int commits)
    {
        var store = new CountingStore();
        for (var i = 0; i < commits; i++)
        {
            await DeltaTestTables.CommitAsync(store, $"run-{i}", DeltaTestTables.Add($"{i}.parquet"));
        }

        return store;
    }

    /// <summary>An in-memory table that records every path read, in order.</summary>
    private sealed class CountingStore : IDeltaStore
    {
        private readonly InMemoryDeltaStore inner = new();

        public ConcurrentQueue<string> Reads { get; } = new();

        public Task<BinaryData?> ReadAsync(string path, CancellationToken cancellationToken = default)
        {
            Reads.Enqueue(path);
            return inner.ReadAsync(path, cancellationToken);
        }

        public Task<bool> CreateIfAbsentAsync(string path, BinaryData content, CancellationToken cancellationToken = default) => inner.CreateIfAbsentAsync(path, content, cancellationToken);

        public Task WriteAsync(string path, BinaryData content, CancellationToken cancellationToken = default) => inner.WriteAsync(path, content, cancellationToken);

        public async IAsyncEnumerable<DeltaStoreEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var entry in inner.ListAsync(prefix, cancellationToken))
            {
                yield return entry;
            }
        }

        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);
    }
}
