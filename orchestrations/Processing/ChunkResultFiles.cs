using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// The one place a run's chunk results are kept and read back: each processing activity writes its chunks' results to
/// one blob beside the run (a deterministic path, so a retried activity overwrites its own), and the steps that need
/// them (the table commit, the manifest) read them there.
/// </summary>
public sealed class ChunkResultFiles(BlobStore store)
{
    private const int ReadsAtOnce = 8;

    public async Task<StoredChunkResults> SaveAsync(string dataset, string runId, IReadOnlyList<ChunkResult> results, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            throw new ArgumentException("a processing activity has at least one chunk", nameof(results));
        }

        var name = StorageLayout.ChunkResults(dataset, runId, results.Min(r => r.Index));
        await store.UploadJsonAsync(BlobContainers.Results, name, results, cancellationToken);
        return StoredChunkResults.Of($"{BlobContainers.Results}/{name}", results);
    }

    /// <summary>Every result the paths hold, in chunk order. A missing file is an error: its run's results would be incomplete.</summary>
    public async Task<IReadOnlyList<ChunkResult>> ReadAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        var all = new List<ChunkResult>();
        foreach (var batch in paths.Chunk(ReadsAtOnce))
        {
            foreach (var results in await Task.WhenAll(batch.Select(path => ReadOneAsync(path, cancellationToken))))
            {
                all.AddRange(results);
            }
        }

        return all.OrderBy(r => r.Index).ToList();
    }

    /// <summary>A drafted manifest with its chunks read back (<see cref="RunManifest.WithChunks"/>); one already complete is returned as it is.</summary>
    public async Task<RunManifest> CompleteAsync(RunManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest.ChunkResults is { } paths ? manifest.WithChunks(await ReadAsync(paths, cancellationToken)) : manifest;
    }

    private async Task<IReadOnlyList<ChunkResult>> ReadOneAsync(string path, CancellationToken cancellationToken) =>
        await store.ReadJsonAtAsync<List<ChunkResult>>(path, cancellationToken)
            ?? throw new InvalidOperationException($"the chunk results at {path} are missing: the run's results cannot be put together");
}
