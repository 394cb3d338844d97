namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>A Databricks run that reached TERMINATED/SUCCESS for a Tributary run; its outputs are at the run's deterministic paths.</summary>
public sealed record CollectDatabricksResultInput(string RunId, string Dataset, long DatabricksRunId, string? RunPageUrl, string? Message);
