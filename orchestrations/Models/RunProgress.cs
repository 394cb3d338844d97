namespace Tributary.Orchestrations.Models;

/// <summary>Custom status of a running ingest orchestration.</summary>
public sealed record RunProgress(string Phase, int ChunksDone, int ChunksTotal);
