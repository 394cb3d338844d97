namespace Tributary.Orchestrations.Aggregation;

/// <summary>What an aggregation engine produced for a run.</summary>
public sealed record AggregationOutcome(
    string Engine,
    string? EngineRunId,
    string? EngineRunUrl,
    long ResultRows,
    IReadOnlyList<string> Outputs,
    string? State = null,
    string? Message = null);
