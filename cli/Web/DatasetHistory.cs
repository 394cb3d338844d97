using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Cli.Web;

/// <summary>One version of a dataset's curated table: its commit and the rows live after it.</summary>
public sealed record DatasetVersion(DeltaHistoryEntry Commit, long? Rows);

/// <summary>The curated table's latest commits, each with the table's row count at that version.</summary>
public static class DatasetHistory
{
    public const int MaxVersions = 50;

    public static async Task<IReadOnlyList<DatasetVersion>> ReadAsync(IDeltaStore curated, CancellationToken cancellationToken)
    {
        var history = await DeltaLog.ReadHistoryAsync(curated, MaxVersions, cancellationToken);
        if (history.Count == 0)
        {
            return [];
        }

        // One snapshot, moved forward version by version, instead of a replay of the log for each version.
        var versions = new List<DatasetVersion>(history.Count);
        var snapshot = await DeltaLog.ReadSnapshotAsync(curated, history[0].Version, cancellationToken);
        foreach (var commit in history)
        {
            if (snapshot is not null && snapshot.Version != commit.Version)
            {
                snapshot = await DeltaLog.UpdateAsync(curated, snapshot, commit.Version, cancellationToken);
            }

            versions.Add(new DatasetVersion(commit, snapshot?.TotalRecords));
        }

        return versions;
    }
}
