namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// The outcome of <see cref="DeltaCommitter.CommitAsync"/>: the version written, or the version that already holds this
/// appId (<see cref="AlreadyCommitted"/>). <see cref="Conflicts"/> counts lost races (a metric).
/// </summary>
public sealed record DeltaCommitResult(long Version, bool AlreadyCommitted, int FilesAdded, int FilesRemoved, int Attempts, int Conflicts)
{
    /// <summary>The plan said there was nothing to do; <see cref="Version"/> is the table's current version (-1 when none).</summary>
    public bool NothingToDo { get; init; }

    /// <summary>The newest snapshot the committer read: the one the commit was planned on (null for an empty table).</summary>
    public DeltaSnapshot? Snapshot { get; init; }

    /// <summary>A checkpoint of <see cref="Version"/> was written after the commit.</summary>
    public bool CheckpointWritten { get; init; }
}
