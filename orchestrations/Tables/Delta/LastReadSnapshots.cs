using System.Runtime.CompilerServices;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// The newest snapshot this process read of each table (per store instance: one per table per process), so that the
/// next read of the latest version, or of a later one, reads only the commit files after it. A Delta log is
/// append-only, so carrying a snapshot forward is the same as reading it afresh. A version older than the one kept,
/// or one the log does not reach from it, is read afresh.
/// </summary>
public sealed class LastReadSnapshots
{
    private readonly ConditionalWeakTable<IDeltaStore, DeltaSnapshot> newest = new();
    private readonly Lock gate = new();

    /// <summary>The snapshot at <paramref name="version"/> (latest when null), as <see cref="DeltaLog.ReadSnapshotAsync"/> gives it.</summary>
    public async Task<DeltaSnapshot?> ReadAsync(IDeltaStore store, long? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        DeltaSnapshot? read = null;
        if (newest.TryGetValue(store, out var known) && (version is null || known.Version <= version))
        {
            try
            {
                read = await DeltaLog.UpdateAsync(store, known, version, cancellationToken);
            }
            catch (InvalidDataException)
            {
                // The log does not reach that version from the one kept: the fresh read below says what it holds.
            }
        }

        read ??= await DeltaLog.ReadSnapshotAsync(store, version, cancellationToken);
        if (read is not null)
        {
            Remember(store, read);
        }

        return read;
    }

    private void Remember(IDeltaStore store, DeltaSnapshot read)
    {
        lock (gate)
        {
            if (!newest.TryGetValue(store, out var known) || known.Version < read.Version)
            {
                newest.AddOrUpdate(store, read);
            }
        }
    }
}
