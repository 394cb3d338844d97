namespace Tributary.Orchestrations.Aggregation;

/// <summary>What one refresh of a dataset aggregate did.</summary>
/// <param name="AggregateVersion">The aggregate table's version after the refresh (-1: no table).</param>
/// <param name="CuratedVersion">The curated version the aggregate reflects now (may be newer than the one asked for).</param>
/// <param name="GroupsRefreshed">Groups recomputed (a full refresh: all groups of the result).</param>
/// <param name="Committed">False when the aggregate already reflected the version (or newer) and nothing was written.</param>
/// <param name="Full">Every group was recomputed (first refresh, spec change, gap in the curated log, or asked for).</param>
/// <param name="Attempts">Tries, each after a concurrent refresh moved the aggregate on.</param>
/// <param name="CuratedFilesRead">Curated files the last try read (the others were skipped by their stats).</param>
/// <param name="Batches">Batches of groups the last try computed (more than one over many rows; see PipelineOptions.RefreshRowsPerBatch).</param>
public sealed record AggregateRefreshResult(long AggregateVersion, long CuratedVersion, long GroupsRefreshed, bool Committed, bool Full, int Attempts, int CuratedFilesRead, int Batches = 1);
