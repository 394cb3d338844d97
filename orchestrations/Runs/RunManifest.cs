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
    TableVersion? Table = null);

public sealed record RunTotals(long RowsRead, long RowsCurated, long RowsRejected, int FilesQuarantined)
{
    public double RejectedShare => RowsRead == 0 ? 0 : (double)RowsRejected / RowsRead;

    public static RunTotals Of(IReadOnlyCollection<ChunkResult> chunks, int filesQuarantined) => new(
        chunks.Sum(c => c.RowsRead),
        chunks.Sum(c => c.RowsCurated),
        chunks.Sum(c => c.RowsRejected),
        filesQuarantined);
}

public sealed record RunTimings(DateTime StartedAt, DateTime? ProcessedAt, DateTime? AggregatedAt, DateTime CompletedAt)
{
    public double TotalSeconds => (CompletedAt - StartedAt).TotalSeconds;
}
