namespace Tributary.Orchestrations.Intake.Backfill;

/// <summary>List one page of a backfill's blobs from <see cref="Continuation"/> and claim its batches.</summary>
public sealed record BackfillPageRequest(
    string BackfillId,
    BackfillRequest Request,
    string? Continuation,
    int Page,
    int PageSize,
    int BatchSize,
    int MaxChunksInFlight);
