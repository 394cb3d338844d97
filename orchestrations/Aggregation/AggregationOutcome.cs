namespace Tributary.Orchestrations.Aggregation;

/// <summary>What an aggregation engine produced for a run.</summary>
/// <param name="ResultRows">Rows the engine wrote; for a dataset aggregate refresh, the groups refreshed.</param>
/// <param name="AggregateVersion">The dataset aggregate table's version after the refresh.</param>
/// <param name="CuratedVersion">The curated table version the dataset aggregate reflects after the refresh.</param>
public sealed record AggregationOutcome(
    string Engine,
    string? EngineRunId,
    string? EngineRunUrl,
    long ResultRows,
    IReadOnlyList<string> Outputs,
    AggregationState State,
    string? Message = null,
    string? EngineState = null,
    long? AggregateVersion = null,
    long? CuratedVersion = null);
