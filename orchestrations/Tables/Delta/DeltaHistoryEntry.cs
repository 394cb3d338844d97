using System.Text.Json;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>One commit as a <c>table</c> command shows it.</summary>
public sealed record DeltaHistoryEntry(
    long Version,
    DateTimeOffset Timestamp,
    string? Operation,
    DeltaCommitInfo? CommitInfo,
    int FilesAdded,
    int FilesRemoved,
    long? RowsAdded,
    long BytesAdded)
{
    /// <summary>Our own commitInfo field (runId, inputs, …) or null.</summary>
    public JsonElement? Field(string name) =>
        CommitInfo?.Fields is { } fields && fields.TryGetValue(name, out var value) ? value : null;

    internal static DeltaHistoryEntry From(long version, IReadOnlyList<DeltaAction> actions, DateTimeOffset fileTime)
    {
        var commitInfo = actions.Select(a => a.CommitInfo).FirstOrDefault(c => c is not null);
        var adds = actions.Where(a => a.Add is not null).Select(a => a.Add!).ToList();
        var rows = adds.All(add => add.NumRecords is not null) ? adds.Sum(add => add.NumRecords!.Value) : (long?)null;

        // Without commitInfo the protocol falls back to the commit file's modification time.
        return new DeltaHistoryEntry(
            version,
            commitInfo?.Time ?? fileTime,
            commitInfo?.Operation,
            commitInfo,
            adds.Count,
            actions.Count(a => a.Remove is not null),
            rows,
            adds.Sum(add => add.Size));
    }
}
