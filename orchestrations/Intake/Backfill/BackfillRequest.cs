namespace Tributary.Orchestrations.Intake.Backfill;

/// <summary>A message on the backfill-requests queue (JSON).</summary>
/// <param name="Archived">
/// Read the archived versions (archive/{dataset}/{prefix}…@{etag}) instead of incoming: reprocess a dataset whose inputs
/// have left incoming. A version keeps its identity (incoming name + ETag), so its claim is the one its first run took:
/// without <see cref="Force"/> processed versions are skipped as in any backfill. From/To select by archive time.
/// </param>
public sealed record BackfillRequest(
    string Dataset,
    string? Prefix = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int? BatchSize = null,
    int? MaxParallel = null,
    bool Force = false,
    bool Archived = false);
