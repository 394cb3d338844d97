namespace Tributary.Orchestrations.Intake.Backfill;

/// <summary>
/// Input of one generation of the backfill orchestration. Every setting is fixed when the backfill starts, so a
/// replay after a configuration change stays deterministic; the listing resumes at <see cref="Continuation"/>.
/// </summary>
public sealed record BackfillState(
    string BackfillId,
    BackfillRequest Request,
    int BatchSize,
    int MaxParallel,
    int PageSize,
    int PagesPerGeneration,
    int MaxChunksInFlight,
    string? Continuation,
    int Page,
    int Generation,
    BackfillProgress Progress);
