using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>A data file a curated commit added or removed: its path relative to the table root (decoded) and size.</summary>
public sealed record ChangedFile(string StoragePath, long Size);

/// <summary>The data files added or removed by the curated commits after one version up to another.</summary>
public static class CuratedChanges
{
    /// <summary>
    /// Every file added or removed in commits (<paramref name="afterVersion"/>, <paramref name="toVersion"/>], or null
    /// when a commit file of that range is gone (log cleanup): the caller then recomputes everything.
    /// </summary>
    public static async Task<IReadOnlyList<ChangedFile>?> ReadAsync(IDeltaStore curated, long afterVersion, long toVersion, CancellationToken cancellationToken = default)
    {
        var files = new Dictionary<string, ChangedFile>(StringComparer.Ordinal);
        for (var version = afterVersion + 1; version <= toVersion; version++)
        {
            var content = await curated.ReadAsync(DeltaPaths.Commit(version), cancellationToken);
            if (content is null)
            {
                return null;
            }

            foreach (var action in DeltaLogFile.Read(content))
            {
                if (action.Add is { } add)
                {
                    files.TryAdd(add.StoragePath, new ChangedFile(add.StoragePath, add.Size));
                }
                else if (action.Remove is { DataChange: true } remove)
                {
                    // A removed file stays in storage until vacuum; its size is there when the writer recorded it.
                    files.TryAdd(remove.StoragePath, new ChangedFile(remove.StoragePath, remove.Size ?? -1));
                }
            }
        }

        return files.Values.ToList();
    }
}
