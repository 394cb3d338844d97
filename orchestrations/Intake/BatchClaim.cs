namespace Tributary.Orchestrations.Intake;

/// <summary>
/// A sealed window, written before its run is scheduled (tributary-state/batches/{dataset}/{batchId}.json) and
/// deleted once the run is started: a claim left behind by a crash is finished by the next batcher.
/// </summary>
public sealed record BatchClaim(string BatchId, string Dataset, IReadOnlyList<PendingArrival> Members, DateTimeOffset SealedAt);
