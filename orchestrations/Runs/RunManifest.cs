using System.Text.Json.Serialization;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// The commit point of a run: written last to results/{dataset}/run={runId}/_manifest.json.
/// A run without a manifest is not done.
/// </summary>
/// <param name="Table">The run's commit to the dataset's curated table; null for runs that did not succeed (they commit nothing).</param>
/// <param name="InputsAfterCommit">
/// What happens to each input once this manifest is written (<c>input.afterCommit</c>): its original location and, when
/// archived, the archived one. Decided before the manifest, done after it by <see cref="ArchiveInputsActivity"/>.
/// </param>
/// <param name="ChunkResults">
/// In a draft only: where its chunks' results are kept (<see cref="ChunkResultFiles"/>); the activity that commits the
/// manifest reads them into <see cref="Chunks"/> (<see cref="WithChunks"/>). Null in a committed manifest.
/// </param>
public sealed record RunManifest(
    string RunId,
    string Dataset,
    RunStatus Status,
    string? RerunOf,
    IReadOnlyList<BlobReference> Inputs,
    IReadOnlyList<ChunkResult> Chunks,
    IReadOnlyList<QuarantinedFile> QuarantinedFiles,
    RunTotals Totals,
    AggregationOutcome? Aggregation,
    IReadOnlyList<string> Outputs,
    RunTimings Timings,
    string? Error,
    string? DefinitionHash = null,
    TableVersion? Table = null,
    IReadOnlyList<InputAfterCommit>? InputsAfterCommit = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? ChunkResults = null)
{
    /// <summary>
    /// This draft with its chunks' results: the chunks in order and, ahead of the outputs it has, their curated then
    /// rejected parts. The one rule for a manifest's chunk lists, whether its run's results came by value or from storage.
    /// </summary>
    public RunManifest WithChunks(IEnumerable<ChunkResult> results)
    {
        var chunks = results.Concat(Chunks).OrderBy(c => c.Index).ToList();
        return this with
        {
            Chunks = chunks,
            Outputs =
            [
                .. chunks.Where(c => c.CuratedPath is not null).Select(c => c.CuratedPath!),
                .. chunks.Where(c => c.RejectedPath is not null).Select(c => c.RejectedPath!),
                .. Outputs,
            ],
            ChunkResults = null,
        };
    }

    /// <summary>
    /// This drafted manifest once its run's table commit and aggregate refresh are done (<see cref="FinishRunActivity"/>):
    /// the one rule for what the finish adds, so the activity and anything standing in for it agree.
    /// </summary>
    public RunManifest Finished(CommittedAndRefreshed done, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(done);
        return this with
        {
            Aggregation = done.Aggregation,
            Table = done.Table.Summary,
            Outputs = [.. Outputs, .. done.Aggregation.Outputs],
            Timings = Timings with { AggregatedAt = at, CompletedAt = at },
        };
    }
}

/// <summary>
/// One input's fate after its run: <see cref="Action"/> is archive, delete or keep (see InputLifecycle);
/// <see cref="ArchivedAs"/> is "archive/{name}@{etag}" when archived, where reruns read it once it has left incoming.
/// </summary>
public sealed record InputAfterCommit(BlobReference Input, string Action, string? ArchivedAs);

public sealed record RunTotals(long RowsRead, long RowsCurated, long RowsRejected, int FilesQuarantined)
{
    public double RejectedShare => RowsRead == 0 ? 0 : (double)RowsRejected / RowsRead;

    public static RunTotals Of(IReadOnlyCollection<ChunkResult> chunks, int filesQuarantined) => new(
        chunks.Sum(c => c.RowsRead),
        chunks.Sum(c => c.RowsCurated),
        chunks.Sum(c => c.RowsRejected),
        filesQuarantined);

    public static RunTotals Of(IReadOnlyCollection<StoredChunkResults> stored, int filesQuarantined) => new(
        stored.Sum(c => c.RowsRead),
        stored.Sum(c => c.RowsCurated),
        stored.Sum(c => c.RowsRejected),
        filesQuarantined);
}

public sealed record RunTimings(DateTime StartedAt, DateTime? ProcessedAt, DateTime? AggregatedAt, DateTime CompletedAt)
{
    public double TotalSeconds => (CompletedAt - StartedAt).TotalSeconds;
}
