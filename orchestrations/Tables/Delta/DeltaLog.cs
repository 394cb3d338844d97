namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>Reading a table: snapshots (checkpoint + later commits) and the commit history.</summary>
public static class DeltaLog
{
    /// <summary>
    /// The snapshot at <paramref name="version"/> (latest when null), or null when the table (or that version) does not exist.
    /// Starts from <c>_last_checkpoint</c>'s checkpoint when it is not newer than the version asked for, then reads the next
    /// commit files until one is missing; without a usable hint it lists <c>_delta_log/</c> for the newest checkpoint.
    /// </summary>
    public static async Task<DeltaSnapshot?> ReadSnapshotAsync(IDeltaStore store, long? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version ?? 0, nameof(version));
        var hint = DeltaLastCheckpoint.TryParse(await store.ReadAsync(DeltaPaths.LastCheckpoint, cancellationToken));
        if (hint is not null && (version is null || hint.Version <= version))
        {
            var checkpoint = await TryReadCheckpointAsync(store, hint.Version, cancellationToken);
            if (checkpoint is not null)
            {
                var builder = new DeltaSnapshotBuilder();
                builder.ApplyCheckpoint(hint.Version, checkpoint);
                return await ReadForwardAsync(store, builder, version, cancellationToken);
            }
        }

        return await ReadByListingAsync(store, version, cancellationToken);
    }

    /// <summary>The snapshot moved forward to the latest version (or <paramref name="version"/>) by reading only newer commit files.</summary>
    public static async Task<DeltaSnapshot> UpdateAsync(IDeltaStore store, DeltaSnapshot snapshot, long? version = null, CancellationToken cancellationToken = default)
    {
        var updated = await ReadForwardAsync(store, new DeltaSnapshotBuilder(snapshot), version, cancellationToken);
        return updated ?? throw new InvalidDataException($"The Delta log has no version {version}.");
    }

    /// <summary>
    /// One entry per commit file, oldest first (commits removed by log cleanup are simply absent): its commitInfo and
    /// what it did to the files. <paramref name="limit"/> keeps the newest entries.
    /// </summary>
    public static async Task<IReadOnlyList<DeltaHistoryEntry>> ReadHistoryAsync(IDeltaStore store, int? limit = null, CancellationToken cancellationToken = default)
    {
        var versions = new List<(long Version, DateTimeOffset LastModified)>();
        await foreach (var entry in store.ListAsync(DeltaPaths.LogFolder, cancellationToken))
        {
            if (DeltaPaths.CommitVersion(entry.Path) is { } commit)
            {
                versions.Add((commit, entry.LastModified));
            }
        }

        var wanted = limit is { } n ? versions.OrderBy(v => v.Version).TakeLast(n) : versions.OrderBy(v => v.Version);
        var history = new List<DeltaHistoryEntry>();
        foreach (var (commit, lastModified) in wanted)
        {
            var content = await store.ReadAsync(DeltaPaths.Commit(commit), cancellationToken);
            if (content is not null)
            {
                history.Add(DeltaHistoryEntry.From(commit, DeltaLogFile.Read(content), lastModified));
            }
        }

        return history;
    }

    private static async Task<DeltaSnapshot?> ReadForwardAsync(IDeltaStore store, DeltaSnapshotBuilder builder, long? version, CancellationToken cancellationToken)
    {
        while (version is null || builder.Version < version)
        {
            var next = builder.Version + 1;
            var content = await store.ReadAsync(DeltaPaths.Commit(next), cancellationToken);
            if (content is null)
            {
                break;
            }

            builder.ApplyCommit(next, DeltaLogFile.Read(content));
        }

        if (builder.Version < 0 || (version is not null && builder.Version != version))
        {
            return null;
        }

        return Checked(builder.Build());
    }

    private static async Task<DeltaSnapshot?> ReadByListingAsync(IDeltaStore store, long? version, CancellationToken cancellationToken)
    {
        var commits = new SortedSet<long>();
        var checkpoints = new SortedSet<long>();
        await foreach (var entry in store.ListAsync(DeltaPaths.LogFolder, cancellationToken))
        {
            if (DeltaPaths.CommitVersion(entry.Path) is { } commit)
            {
                commits.Add(commit);
            }
            else if (DeltaPaths.CheckpointVersion(entry.Path) is { } checkpoint)
            {
                checkpoints.Add(checkpoint);
            }
        }

        if (commits.Count == 0 && checkpoints.Count == 0)
        {
            return null;
        }

        var target = version ?? Math.Max(commits.Count > 0 ? commits.Max : -1, checkpoints.Count > 0 ? checkpoints.Max : -1);
        foreach (var checkpoint in checkpoints.Reverse().Where(c => c <= target))
        {
            var actions = await TryReadCheckpointAsync(store, checkpoint, cancellationToken);
            if (actions is not null)
            {
                var builder = new DeltaSnapshotBuilder();
                builder.ApplyCheckpoint(checkpoint, actions);
                return await ReadForwardAsync(store, builder, version, cancellationToken);
            }
        }

        if (!commits.Contains(0))
        {
            throw new InvalidDataException("The Delta log has neither a readable checkpoint nor version 0 to replay from.");
        }

        return await ReadForwardAsync(store, new DeltaSnapshotBuilder(), version, cancellationToken);
    }

    // A checkpoint that cannot be read (torn upload, foreign format) is skipped: the commit files still hold the truth.
    private static async Task<IReadOnlyList<DeltaAction>?> TryReadCheckpointAsync(IDeltaStore store, long version, CancellationToken cancellationToken)
    {
        try
        {
            return await DeltaCheckpoint.ReadAsync(store, version, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException and not NotSupportedException)
        {
            return null;
        }
    }

    private static DeltaSnapshot Checked(DeltaSnapshot snapshot) =>
        snapshot.Protocol.CanRead
            ? snapshot
            : throw new NotSupportedException($"The table needs Delta reader version {snapshot.Protocol.MinReaderVersion}; this reader implements version 1 only.");
}
