namespace Tributary.Orchestrations.Processing;

/// <summary>
/// What a processing activity hands back to its run: where its chunks' results are kept (<see cref="ChunkResultFiles"/>)
/// and their tallies, the little the orchestrator decides with. A run's history so holds a path and a few counts per
/// activity, not every chunk's input, paths and Delta stats (a 500-file run's were ~0.7 M characters, replayed with each episode).
/// </summary>
/// <param name="Path">The results' blob in <see cref="Storage.BlobContainers.Results"/> (<see cref="Storage.StorageLayout.ChunkResults"/>).</param>
/// <param name="Quarantined">The chunks whose whole file was quarantined, one entry each, as the manifest lists them.</param>
public sealed record StoredChunkResults(string Path, int Chunks, long RowsRead, long RowsCurated, long RowsRejected, IReadOnlyList<QuarantinedFile> Quarantined)
{
    public static StoredChunkResults Of(string path, IReadOnlyCollection<ChunkResult> results) => new(
        path,
        results.Count,
        results.Sum(r => r.RowsRead),
        results.Sum(r => r.RowsCurated),
        results.Sum(r => r.RowsRejected),
        results.Where(r => r.IsQuarantined).OrderBy(r => r.Index).Select(r => new QuarantinedFile(r.Input, r.FileProblem!, r.RejectedPath)).ToList());
}
