namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>Action reconciliation (the protocol's rules), applied commit by commit in version order.</summary>
internal sealed class DeltaSnapshotBuilder
{
    private readonly Dictionary<string, DeltaAdd> active;
    private readonly Dictionary<string, DeltaRemove> tombstones;
    private readonly Dictionary<string, DeltaTxn> transactions;
    private readonly Dictionary<string, long> committedIn;
    private DeltaProtocol? protocol;
    private DeltaMetadata? metadata;
    private long? checkpointVersion;

    public DeltaSnapshotBuilder()
    {
        active = new(StringComparer.Ordinal);
        tombstones = new(StringComparer.Ordinal);
        transactions = new(StringComparer.Ordinal);
        committedIn = new(StringComparer.Ordinal);
        Version = -1;
    }

    public DeltaSnapshotBuilder(DeltaSnapshot snapshot)
    {
        active = new(snapshot.ActiveFiles, StringComparer.Ordinal);
        tombstones = new(snapshot.Tombstones, StringComparer.Ordinal);
        transactions = new(snapshot.Transactions, StringComparer.Ordinal);
        committedIn = new(snapshot.TransactionCommitVersions, StringComparer.Ordinal);
        protocol = snapshot.Protocol;
        metadata = snapshot.Metadata;
        checkpointVersion = snapshot.CheckpointVersion;
        Version = snapshot.Version;
    }

    public long Version { get; private set; }

    /// <summary>The state of a checkpoint: its actions are already reconciled, and commit versions of txns are unknown.</summary>
    public void ApplyCheckpoint(long version, IEnumerable<DeltaAction> actions)
    {
        foreach (var action in actions)
        {
            Apply(action, commitVersion: null);
        }

        Version = version;
        checkpointVersion = version;
    }

    public void ApplyCommit(long version, IEnumerable<DeltaAction> actions)
    {
        if (version != Version + 1)
        {
            throw new InvalidDataException($"Delta log gap: version {version} follows {Version}.");
        }

        foreach (var action in actions)
        {
            Apply(action, version);
        }

        Version = version;
    }

    public DeltaSnapshot Build()
    {
        if (protocol is null || metadata is null)
        {
            throw new InvalidDataException($"The Delta log up to version {Version} has no {(protocol is null ? "protocol" : "metaData")} action.");
        }

        return new DeltaSnapshot(Version, protocol, metadata, new Dictionary<string, DeltaAdd>(active, StringComparer.Ordinal), new Dictionary<string, DeltaRemove>(tombstones, StringComparer.Ordinal), new Dictionary<string, DeltaTxn>(transactions, StringComparer.Ordinal), new Dictionary<string, long>(committedIn, StringComparer.Ordinal))
        {
            CheckpointVersion = checkpointVersion,
        };
    }

    private void Apply(DeltaAction action, long? commitVersion)
    {
        if (action.Protocol is { } p)
        {
            protocol = p;
        }

        if (action.MetaData is { } m)
        {
            metadata = m;
        }

        if (action.Txn is { } txn)
        {
            transactions[txn.AppId] = txn;
            if (commitVersion is { } v)
            {
                committedIn[txn.AppId] = v;
            }
            else
            {
                committedIn.Remove(txn.AppId);
            }
        }

        // A logical file lives in exactly one of the two sets; the newest action about it decides which.
        if (action.Remove is { } remove)
        {
            active.Remove(remove.Path);
            tombstones[remove.Path] = remove;
        }

        if (action.Add is { } add)
        {
            tombstones.Remove(add.Path);
            active[add.Path] = add;
        }
    }
}
