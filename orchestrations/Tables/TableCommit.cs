namespace Tributary.Orchestrations.Tables;

/// <summary>
/// What a run's table commit did. <see cref="AlreadyCommitted"/>: a replay found the run's own commit (txn) and wrote
/// nothing. <see cref="Conflicts"/> and <see cref="Attempts"/> count lost races and tries (metric-ready).
/// <see cref="StaleInputs"/>: inputs for which the table already held a newer version, so this run left them alone.
/// </summary>
public sealed record TableCommit(long Version, int FilesAdded, int FilesRemoved, bool AlreadyCommitted, int Conflicts, int Attempts, IReadOnlyList<string> StaleInputs)
{
    public TableVersion Summary => new(Version, FilesAdded, FilesRemoved);
}
