namespace Tributary.Orchestrations.Models;

/// <summary>
/// What the planner decided for a run: the chunks to process, whole files it quarantined, and the
/// dataset settings the orchestrator needs (it reads no definitions itself: that is I/O).
/// </summary>
public sealed record RunPlan(
    IReadOnlyList<ChunkSpec> Chunks,
    IReadOnlyList<QuarantinedFile> QuarantinedFiles,
    string AggregationEngine,
    double FailureTolerance,
    string? Problem = null);

/// <summary>A whole input file that could not be processed row by row, and why.</summary>
public sealed record QuarantinedFile(BlobReference Input, string Reason, string? QuarantinePath);
