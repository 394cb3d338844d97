namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>Input of <see cref="GetDatabricksRunActivity"/> and <see cref="CancelDatabricksRunActivity"/>.</summary>
/// <param name="DatabricksRunId">The Databricks run id.</param>
public sealed record DatabricksRunRef(long DatabricksRunId);
