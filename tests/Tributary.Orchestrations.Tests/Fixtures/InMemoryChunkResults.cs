using System.Collections.Concurrent;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tests.Fixtures;

/// <summary>
/// What <see cref="ChunkResultFiles"/> does in storage, in memory, for orchestrator tests whose activities are fakes:
/// processing keeps its results under the same path and hands back their tallies; the commit reads them back.
/// </summary>
public sealed class InMemoryChunkResults
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<ChunkResult>> kept = new();

    public StoredChunkResults Keep(string dataset, string runId, IReadOnlyList<ChunkResult> results)
    {
        var path = $"{BlobContainers.Results}/{StorageLayout.ChunkResults(dataset, runId, results.Min(r => r.Index))}";
        kept[path] = results;
        return StoredChunkResults.Of(path, results);
    }

    public IReadOnlyList<ChunkResult> Read(IEnumerable<string> paths) => paths.SelectMany(path => kept[path]).OrderBy(c => c.Index).ToList();

    /// <summary>As <see cref="ChunkResultFiles.CompleteAsync"/>.</summary>
    public RunManifest Complete(RunManifest draft) => draft.ChunkResults is { } paths ? draft.WithChunks(Read(paths)) : draft;
}
