namespace Tributary.Orchestrations;

/// <summary>Settings of the pipeline core, bound from the "Tributary" configuration section.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Tributary";

    /// <summary>Durable task hub; Azure Storage derives its queue and table names from it.</summary>
    public string TaskHub { get; set; } = "Tributary";

    /// <summary>Upper bound on processing activities one run keeps in flight.</summary>
    public int MaxChunksInFlight { get; set; } = 16;

    /// <summary>Folder of dataset definitions (*.json, *.yaml).</summary>
    public string DatasetsPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "datasets");

    /// <summary>Scratch space for staged chunks and DuckDB spill files.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "tributary-work");

    public string DuckDbMemoryLimit { get; set; } = "512MB";

    /// <summary>DuckDB's memory limit while processing one chunk (the aggregation uses <see cref="DuckDbMemoryLimit"/>).</summary>
    public string DuckDbChunkMemoryLimit { get; set; } = Processing.DuckDbChunkProcessor.DefaultMemoryLimit;

    /// <summary>How long an intake claim without an orchestration is left to its owner before another intake takes it over.</summary>
    public TimeSpan IntakeClaimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Deployment-wide aggregation engine (<c>duckdb</c> or <c>databricks</c>); when set it overrides every dataset's
    /// <c>aggregation.engine</c>. Null: each dataset decides.
    /// </summary>
    public string? AggregationEngine { get; set; }
}
