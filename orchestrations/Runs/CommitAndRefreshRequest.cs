using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations.Runs;

/// <summary>A run's table commit and, after it, the local aggregate refresh to the version it made, as one activity.</summary>
/// <param name="CuratedParts">The run's curated parts with rows, in chunk order (as the refresh request carries them).</param>
public sealed record CommitAndRefreshRequest(CommitTableRequest Table, IReadOnlyList<string> CuratedParts)
{
    /// <summary>The commit and refresh of a run's processed chunks: the one place that picks the parts a run commits.</summary>
    public static CommitAndRefreshRequest Of(string runId, string dataset, string? definitionHash, IReadOnlyList<BlobReference> inputs, IEnumerable<ChunkResult> chunks)
    {
        var withRows = chunks.Where(c => c.CuratedPath is not null && c.RowsCurated > 0).OrderBy(c => c.Index).ToList();
        return new(
            new CommitTableRequest(runId, dataset, definitionHash, inputs, withRows.Select(c => new TablePart(c.Index, c.Input, c.CuratedBytes ?? 0, c.CuratedStats)).ToList()),
            withRows.Select(c => c.CuratedPath!).ToList());
    }

    /// <summary>The commit and refresh of a drafted manifest's chunks, over its inputs (as the planner read them).</summary>
    public static CommitAndRefreshRequest Of(RunManifest draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        return Of(draft.RunId, draft.Dataset, draft.DefinitionHash, draft.Inputs, draft.Chunks);
    }
}
