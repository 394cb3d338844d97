namespace Tributary.Orchestrations.Intake.Backfill;

/// <summary>A message on the backfill-requests queue (JSON).</summary>
public sealed record BackfillRequest(
    string Dataset,
    string? Prefix = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int? BatchSize = null,
    int? MaxParallel = null,
    bool Force = false);
