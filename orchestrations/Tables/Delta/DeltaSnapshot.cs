namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// The table's state at <see cref="Version"/> after action reconciliation: the latest protocol and metadata, the live
/// files (keyed by the action's URI-encoded path), the tombstones, and the latest txn per appId.
/// </summary>
public sealed record DeltaSnapshot(
    long Version,
    DeltaProtocol Protocol,
    DeltaMetadata Metadata,
    IReadOnlyDictionary<string, DeltaAdd> ActiveFiles,
    IReadOnlyDictionary<string, DeltaRemove> Tombstones,
    IReadOnlyDictionary<string, DeltaTxn> Transactions,
    IReadOnlyDictionary<string, long> TransactionCommitVersions)
{
    /// <summary>The version whose checkpoint this snapshot started from; null when replayed from version 0.</summary>
    public long? CheckpointVersion { get; init; }

    /// <summary>
    /// The table version that committed <paramref name="appId"/>'s latest txn, when known: seen in a replayed commit
    /// file, or — for commits by <see cref="DeltaCommitter"/>, whose txn version is the commit version — the txn itself.
    /// </summary>
    public long? CommittedIn(string appId) =>
        TransactionCommitVersions.TryGetValue(appId, out var version) ? version
        : Transactions.TryGetValue(appId, out var txn) ? txn.Version
        : null;

    public long TotalSize => ActiveFiles.Values.Sum(add => add.Size);

    /// <summary>Rows in the live files, for files whose stats say so.</summary>
    public long? TotalRecords => ActiveFiles.Count == 0 ? 0
        : ActiveFiles.Values.All(add => add.NumRecords is not null) ? ActiveFiles.Values.Sum(add => add.NumRecords!.Value) : null;
}
