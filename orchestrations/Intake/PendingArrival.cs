using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>One blob version waiting in its dataset's batch window (tributary-state/arrivals/{dataset}/{hash}.json).</summary>
public sealed record PendingArrival(string VersionHash, BlobReference Input, DateTimeOffset ArrivedAt);
