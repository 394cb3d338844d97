using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>A thread-safe store in memory, for tests: create-if-absent is <see cref="ConcurrentDictionary{TKey,TValue}.TryAdd"/>.</summary>
public sealed class InMemoryDeltaStore(TimeProvider? clock = null) : IDeltaStore
{
    private readonly ConcurrentDictionary<string, (BinaryData Content, DateTimeOffset LastModified)> files = new(StringComparer.Ordinal);
    private readonly TimeProvider clock = clock ?? TimeProvider.System;

    public int Count => files.Count;

    /// <summary>Puts a file with a chosen modification time (a data file "written" long ago, for vacuum tests).</summary>
    public void Put(string path, BinaryData content, DateTimeOffset lastModified) => files[path] = (content, lastModified);

    public Task<BinaryData?> ReadAsync(string path, CancellationToken cancellationToken = default) =>
        Task.FromResult(files.TryGetValue(path, out var file) ? file.Content : null);

    public Task<bool> CreateIfAbsentAsync(string path, BinaryData content, CancellationToken cancellationToken = default) =>
        Task.FromResult(files.TryAdd(path, (content, clock.GetUtcNow())));

    public Task WriteAsync(string path, BinaryData content, CancellationToken cancellationToken = default)
    {
        files[path] = (content, clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<DeltaStoreEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        var entries = files
            .Where(file => file.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(file => new DeltaStoreEntry(file.Key, file.Value.Content.ToMemory().Length, file.Value.LastModified))
            .OrderBy(entry => entry.Path, StringComparer.Ordinal)
            .ToList();
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        files.TryRemove(path, out _);
        return Task.CompletedTask;
    }
}
