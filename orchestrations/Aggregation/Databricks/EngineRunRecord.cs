namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// The external engine run started for a Tributary run, kept in tributary-state/engine-runs/{runId}.json so that
/// cancelling the Tributary run can cancel it too (a terminated orchestration runs no more code of its own).
/// </summary>
public sealed record EngineRunRecord(string RunId, string Dataset, string Engine, string EngineRunId, string? EngineRunUrl, DateTime StartedAt);
