namespace Tributary.Orchestrations.Processing;

/// <summary>Counts of one processed chunk, or the reason the whole chunk's file cannot be read.</summary>
public sealed record ChunkOutcome(long RowsRead, long RowsCurated, long RowsRejected, string? FileProblem = null)
{
    public static ChunkOutcome Unreadable(string problem) => new(0, 0, 0, problem);
}
