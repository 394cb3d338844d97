using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Runs;

namespace Tributary.Orchestrations.Api;

/// <summary>One line of the runs listing: an ingest run or a backfill (<see cref="Kind"/>). A run with no manifest yet is not done.</summary>
public sealed record RunSummary(
    string RunId,
    string Dataset,
    RunStatus Status,
    int Inputs,
    DateTimeOffset ClaimedAt,
    RunTotals? Totals,
    DateTime? CompletedAt,
    string? Error,
    string Kind = RunKinds.Ingest);

/// <summary>What a listed run is.</summary>
public static class RunKinds
{
    public const string Ingest = "ingest";
    public const string Backfill = "backfill";
}

/// <summary>What a backfill's record holds (state container, backfills/{id}.json): enough to list it without its orchestration.</summary>
public sealed record BackfillRecord(string BackfillId, string Dataset, BackfillRequest Request, DateTimeOffset StartedAt);

/// <summary>
/// The live status of a run that has no manifest yet, or of a backfill, from the host's engine (null when unknown).
/// The catalog reads storage only; a host with an orchestration client passes one.
/// </summary>
public delegate Task<RunStatus?> LiveRunStatus(string runId, string kind, CancellationToken cancellationToken);
