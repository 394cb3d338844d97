namespace Tributary.Orchestrations.Aggregation;

/// <summary>What an aggregation engine produced for a run.</summary>
public sealed record AggregationOutcome(
    string Engine,
    string? EngineRunId,
    string? EngineRunUrl,
    long ResultRows,
    IReadOnlyList<string> Outputs,
    AggregationState State,
    string? Message = null,
    string? EngineState = null);
