using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Runs;

/// <summary>Input of the ingest orchestration: one run over one or more input blob versions.</summary>
/// <param name="MaxChunksInFlight">
/// Cap on processing activities in flight, fixed at intake so that a replay after a configuration change stays deterministic.
/// </param>
public sealed record IngestRequest(
    string RunId,
    string Dataset,
    IReadOnlyList<BlobReference> Inputs,
    string? RerunOf = null,
    int MaxChunksInFlight = 16);
