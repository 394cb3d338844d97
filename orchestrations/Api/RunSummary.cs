using Tributary.Orchestrations.Runs;

namespace Tributary.Orchestrations.Api;

/// <summary>One line of the runs listing. A run with no manifest yet is not done.</summary>
public sealed record RunSummary(
    string RunId,
    string Dataset,
    RunStatus Status,
    int Inputs,
    DateTimeOffset ClaimedAt,
    RunTotals? Totals,
    DateTime? CompletedAt,
    string? Error);
