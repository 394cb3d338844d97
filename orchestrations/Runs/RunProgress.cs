namespace Tributary.Orchestrations.Runs;

/// <summary>Custom status of a running ingest orchestration.</summary>
/// <param name="EngineRunId">The in-flight external engine run (e.g. <c>databricks:123</c>) while aggregating, so it can be found and cancelled.</param>
public sealed record RunProgress(string Phase, int ChunksDone, int ChunksTotal, string? EngineRunId = null);
