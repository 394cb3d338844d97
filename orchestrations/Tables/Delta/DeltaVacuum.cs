namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>What a vacuum would delete (storage paths relative to the table root) and why.</summary>
public sealed record DeltaVacuumPlan(IReadOnlyList<string> ExpiredTombstones, IReadOnlyList<string> Unreferenced, int ActiveFilesKept)
{
    public IEnumerable<string> FilesToDelete => ExpiredTombstones.Concat(Unreferenced);

    public int Count => ExpiredTombstones.Count + Unreferenced.Count;
}

/// <summary>
/// Deleting data files no reader can need any more: removed files whose tombstone is older than the retention, and
/// files no snapshot references (parts of failed or canceled runs) once they are older than the retention — younger
/// ones may belong to a run that is about to commit. Hidden paths (a segment starting with '_' or '.', such as
/// <c>_delta_log/</c>) are never touched, and neither is any active file.
/// </summary>
public static class DeltaVacuum
{
    public static DeltaVacuumPlan Plan(DeltaSnapshot snapshot, IEnumerable<DeltaStoreEntry> listing, TimeSpan retention, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.Zero);
        var cutoff = now - retention;
        var cutoffMillis = DeltaJson.Millis(cutoff);
        var active = snapshot.ActiveFiles.Values.Select(add => add.StoragePath).ToHashSet(StringComparer.Ordinal);
        var tombstones = snapshot.Tombstones.Values
            .Where(remove => !active.Contains(remove.StoragePath))
            .ToDictionary(remove => remove.StoragePath, StringComparer.Ordinal);

        var expired = new List<string>();
        var unreferenced = new List<string>();
        foreach (var entry in listing)
        {
            if (IsHidden(entry.Path) || active.Contains(entry.Path))
            {
                continue;
            }

            if (tombstones.TryGetValue(entry.Path, out var remove))
            {
                // A tombstone without a timestamp has an unknown age: keep the file until the file itself is old.
                if (remove.DeletionTimestamp is { } deleted ? deleted < cutoffMillis : entry.LastModified < cutoff)
                {
                    expired.Add(entry.Path);
                }
            }
            else if (entry.LastModified < cutoff)
            {
                unreferenced.Add(entry.Path);
            }
        }

        return new DeltaVacuumPlan(expired, unreferenced, active.Count);
    }

    /// <summary>Lists the table root and plans; the listing is taken after the snapshot so a file committed meanwhile is still young.</summary>
    public static async Task<DeltaVacuumPlan> PlanAsync(IDeltaStore store, DeltaSnapshot snapshot, TimeSpan retention, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var listing = new List<DeltaStoreEntry>();
        await foreach (var entry in store.ListAsync(string.Empty, cancellationToken))
        {
            listing.Add(entry);
        }

        return Plan(snapshot, listing, retention, now);
    }

    public static async Task<int> ExecuteAsync(IDeltaStore store, DeltaVacuumPlan plan, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var path in plan.FilesToDelete)
        {
            await store.DeleteAsync(path, cancellationToken);
            deleted++;
        }

        return deleted;
    }

    private static bool IsHidden(string path) =>
        path.Split('/').Any(segment => segment.StartsWith('_') || segment.StartsWith('.'));
}
