using Tributary.Orchestrations.Runs;

namespace Tributary.Orchestrations.Intake.Backfill;

/// <summary>One listed page: how many blobs it held, how many were skipped, the runs to start, where the listing goes on.</summary>
public sealed record BackfillPage(int Listed, int Skipped, IReadOnlyList<IngestRequest> Runs, string? Continuation);
