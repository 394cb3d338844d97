using Tributary.Orchestrations.Aggregation;

namespace Tributary.Orchestrations.Datasets;

/// <summary>A dataset, declared in one file under the datasets folder (JSON or YAML).</summary>
public sealed record DatasetDefinition
{
    public required string Name { get; init; }
    public InputSpec Input { get; init; } = new();
    public required SchemaSpec Schema { get; init; }

    /// <summary>Share of rejected rows above which the run fails (0.05 = 5%).</summary>
    public double FailureTolerance { get; init; } = 0.05;

    public required AggregationSpec Aggregation { get; init; }

    /// <summary>How arrivals are grouped into runs; absent = the pipeline's default (Tributary:Batch).</summary>
    public BatchWindow? Batch { get; init; }

    /// <summary>Where this definition was loaded from, for error messages.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? SourceFile { get; init; }
}
