using Tributary.Orchestrations.Models;

namespace Tributary.Orchestrations.Batching;

/// <summary>One blob version waiting in its dataset's batch window (tributary-state/arrivals/{dataset}/{hash}.json).</summary>
public sealed record PendingArrival(string VersionHash, BlobReference Input, DateTimeOffset ArrivedAt);
