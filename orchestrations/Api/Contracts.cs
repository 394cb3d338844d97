using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Runs;

namespace Tributary.Orchestrations.Api;

// The request and response shapes of the runs API, shared by the standalone host's minimal API, the
// Functions app's HTTP triggers and the backfill queue. One place, so both hosts keep one contract.

/// <summary>POST /api/datasets/{dataset}/reprocess body: reprocess the matching blobs (a backfill over HTTP).</summary>
public sealed record ReprocessRequest(string? Prefix = null, DateTimeOffset? From = null, DateTimeOffset? To = null, bool Force = false, bool Archived = false);

/// <summary>Answer of rerun, reprocess and backfill: the orchestration that was started.</summary>
public sealed record RunAccepted(string RunId, string Dataset, RunStatus Status, string? RerunOf = null, string? StatusUrl = null);

/// <summary>GET /api/runs/{runId}. For a backfill (ids backfill-...), <see cref="Backfill"/> has its progress.</summary>
public sealed record RunStatusResponse(string RunId, string Dataset, RunStatus Status, RunProgress? Progress, RunManifest? Manifest, BackfillProgress? Backfill = null);

/// <summary>GET /api/runs?dataset=&amp;status=&amp;top=&amp;continuation=.</summary>
public sealed record RunListResponse(IReadOnlyList<RunSummary> Runs, string? Continuation);

/// <summary>
/// GET /api/datasets/{dataset}: the curated table now (version null and no rows before the first successful run) and
/// the aggregate's last refresh (null before the first).
/// </summary>
public sealed record DatasetStatusResponse(string Dataset, long? CuratedVersion, long Rows, int Files, DatasetRefresh? LastRefresh);

/// <summary>The aggregate table's latest commit: its own version, when, and the curated version it reflects (from its commitInfo).</summary>
public sealed record DatasetRefresh(long AggregateVersion, DateTimeOffset At, long? CuratedVersion);
