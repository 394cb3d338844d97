using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>The summary the <c>tributary_aggregate</c> job writes (databricks/src/aggregate.py), at <c>summary_path</c>.</summary>
public sealed record DatabricksJobSummary(
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("columns")] IReadOnlyList<DatabricksJobSummaryColumn> Columns,
    [property: JsonPropertyName("result_path")] string ResultPath,
    [property: JsonPropertyName("spark_version")] string? SparkVersion);

public sealed record DatabricksJobSummaryColumn(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type);
