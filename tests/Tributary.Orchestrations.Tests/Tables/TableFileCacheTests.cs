using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tests.Tables;

/// <summary>Fetching a table's parts: every part once, in order, a bounded number at a time.</summary>
public sealed class TableFileCacheTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tributary-table-cache-").FullName;

    [Fact]
    public async Task Many_parts_come_back_in_order_with_their_bytes_and_at_most_the_bound_are_read_at_once()
    {
        var store = new SlowStore();
        var parts = Enumerable.Range(0, 200).Select(i => ($"run=r/part-{i:D4}.parquet", (long)$"content {i}".Length)).ToList();
        foreach (var (path, _) in parts)
        {
            store.Inner.Put(path, BinaryData.FromString($"content {path[^12..^8]}"), DateTimeOffset.UnixEpoch);
        }

        var locals = await new TableFileCache(folder).GetAllAsync(store, parts);

        Assert.Equal(200, locals.Count);
        Assert.Equal(parts.Select(p => $"content {p.Item1[^12..^8]}"), locals.Select(File.ReadAllText));
        Assert.InRange(store.MostAtOnce, 2, TableFileCache.DownloadsAtOnce);
    }

    [Fact]
    public async Task A_part_missing_from_storage_is_an_error_that_names_it()
    {
        var store = new SlowStore();
        store.Inner.Put("a.parquet", BinaryData.FromString("a"), DateTimeOffset.UnixEpoch);

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => new TableFileCache(folder).GetAllAsync(store, [("a.parquet", 1L), ("gone.parquet", 1L)]));

        Assert.Contains("gone.parquet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_part_this_process_kept_is_read_from_disk_and_one_it_did_not_is_downloaded()
    {
        var store = new SlowStore();
        store.Inner.Put("run=r/part-00001.parquet", BinaryData.FromString("from storage"), DateTimeOffset.UnixEpoch);
        var written = Path.Combine(folder, "curated.parquet");
        File.WriteAllText(written, "written here");
        var cache = new TableFileCache(Path.Combine(folder, "cache"));

        cache.Keep(store, "run=r/part-00000.parquet", "written here".Length, written);
        var locals = await cache.GetAllAsync(store, [("run=r/part-00000.parquet", "written here".Length), ("run=r/part-00001.parquet", "from storage".Length)]);

        Assert.Equal(["written here", "from storage"], locals.Select(File.ReadAllText));
        Assert.Equal(1, store.Reads);
        Assert.False(File.Exists(written), "the written file is moved into the cache, not copied");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>An in-memory store whose reads take a while, counting how many run at once.</summary>
    private sealed class SlowStore : IDeltaStore
    {
        private int reading;
        private int mostAtOnce;

        public InMemoryDeltaStore Inner { get; } = new();

        public int MostAtOnce => Volatile.Read(ref mostAtOnce);

        public int Reads => Volatile.Read(ref reads);

        private int reads;

        public async Task<BinaryData?> ReadAsync(string path, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref reads);
            var now = Interlocked.Increment(ref reading);
            InterlockedMax(ref mostAtOnce, now);
            try
            {
                await Task.Delay(5, cancellationToken);
                return await Inner.ReadAsync(path, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref reading);
            }
        }

        public Task<bool> CreateIfAbsentAsync(string path, BinaryData content, CancellationToken cancellationToken = default) => Inner.CreateIfAbsentAsync(path, content, cancellationToken);

        public Task WriteAsync(string path, BinaryData content, CancellationToken cancellationToken = default) => Inner.WriteAsync(path, content, cancellationToken);

        public IAsyncEnumerable<DeltaStoreEntry> ListAsync(string prefix, CancellationToken cancellationToken = default) => Inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => Inner.DeleteAsync(path, cancellationToken);

        private static void InterlockedMax(ref int target, int value)
        {
            var seen = Volatile.Read(ref target);
            while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var previous && previous != seen)
            {
                seen = previous;
            }
        }
    }
}
