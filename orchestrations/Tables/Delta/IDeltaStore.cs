namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>One entry of a store listing; paths are relative to the table root.</summary>
public sealed record DeltaStoreEntry(string Path, long Size, DateTimeOffset LastModified);

/// <summary>
/// The storage of one Delta table, paths relative to its root. <see cref="CreateIfAbsentAsync"/> is the whole
/// concurrency story: a commit file is created by exactly one writer (put-if-absent), the others see false and retry.
/// </summary>
public interface IDeltaStore
{
    /// <summary>The content, or null when there is no such file.</summary>
    Task<BinaryData?> ReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Creates the file unless it exists; false when another writer got there first. Must be atomic.</summary>
    Task<bool> CreateIfAbsentAsync(string path, BinaryData content, CancellationToken cancellationToken = default);

    /// <summary>Creates or overwrites (checkpoints, _last_checkpoint: any complete copy is as good as another).</summary>
    Task WriteAsync(string path, BinaryData content, CancellationToken cancellationToken = default);

    /// <summary>Files whose path starts with <paramref name="prefix"/>, in lexicographic (ordinal) order.</summary>
    IAsyncEnumerable<DeltaStoreEntry> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the file; no error when it is already gone.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken = default);
}
