namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// What the orchestrator needs to start a run's aggregation on Databricks: the start input with the job parameters,
/// or why it cannot (then <see cref="Start"/> is null).
/// </summary>
public sealed record DatabricksAggregationPlan(StartDatabricksRunInput? Start, string? Problem = null);
