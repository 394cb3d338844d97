using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Processing;

/// <summary>Stats of one processed chunk. Rows read = rows curated + rows rejected.</summary>
/// <param name="CuratedBytes">Size of the curated part, for its Delta <c>add</c>.</param>
/// <param name="CuratedStats">The part's Delta stats JSON (numRecords, min/max, nullCount), computed before upload.</param>
/// <param name="StartedAt">When the activity began the chunk (UTC), for the run page's timeline; null in older manifests.</param>
public sealed record ChunkResult(
    int Index,
    BlobReference Input,
    long? Offset,
    long? Length,
    long RowsRead,
    long RowsCurated,
    long RowsRejected,
    string? CuratedPath,
    string? RejectedPath,
    double Seconds,
    string? FileProblem = null,
    long? CuratedBytes = null,
    string? CuratedStats = null,
    DateTime? StartedAt = null)
{
    /// <summary>True when the whole chunk's file was quarantined instead of processed row by row.</summary>
    public bool IsQuarantined => FileProblem is not null;
}
