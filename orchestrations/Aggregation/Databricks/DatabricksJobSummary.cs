using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>The summary the <c>tributary_aggregate</c> job writes (databricks/src/aggregate.py), at <c>summary_path</c>.</summary>
/// <param name="Rows">Rows of the aggregate table after the refresh.</param>
/// <param name="ResultPath">The aggregate table the job refreshed.</param>
/// <param name="CuratedVersion">The curated table version the job read (versionAsOf).</param>
/// <param name="Mode"><c>incremental</c> (affected groups replaced) or <c>full</c> (recomputed).</param>
/// <param name="Action">
/// <c>apply</c> (written), <c>skipped-stale</c> (the aggregate already reflects a newer curated version),
/// <c>skipped-already-applied</c> (a retry of a refresh that landed) or <c>nothing-to-refresh</c> (no affected groups).
/// </param>
/// <param name="Groups">Affected groups given (incremental with keys).</param>
/// <param name="AggregateVersion">The aggregate table's version after the job.</param>
/// <param name="RecordedCuratedVersion">The newest curated version the aggregate recorded before the job.</param>
public sealed record DatabricksJobSummary(
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("rows")] long? Rows,
    [property: JsonPropertyName("columns")] IReadOnlyList<DatabricksJobSummaryColumn> Columns,
    [property: JsonPropertyName("result_path")] string ResultPath,
    [property: JsonPropertyName("spark_version")] string? SparkVersion,
    [property: JsonPropertyName("curated_version")] long? CuratedVersion = null,
    [property: JsonPropertyName("mode")] string? Mode = null,
    [property: JsonPropertyName("action")] string? Action = null,
    [property: JsonPropertyName("groups")] long? Groups = null,
    [property: JsonPropertyName("aggregate_version")] long? AggregateVersion = null,
    [property: JsonPropertyName("recorded_curated_version")] long? RecordedCuratedVersion = null)
{
    public const string Applied = "apply";
    public const string SkippedStale = "skipped-stale";
    public const string SkippedAlreadyApplied = "skipped-already-applied";
    public const string NothingToRefresh = "nothing-to-refresh";
}

public sealed record DatabricksJobSummaryColumn(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type);
