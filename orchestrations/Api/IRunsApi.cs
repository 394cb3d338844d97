using Tributary.Orchestrations.Intake.Backfill;

namespace Tributary.Orchestrations.Api;

/// <summary>
/// The runs API's behaviour, host-neutral: the standalone host and the Functions app call these and only
/// translate HTTP (or a queue message) in and out.
/// </summary>
public interface IRunsApi
{
    /// <summary>POST /api/runs/{runId}/rerun: a new run over the same blob versions, linked to the original.</summary>
    Task<ApiResult<RunAccepted>> RerunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>POST /api/datasets/{dataset}/reprocess.</summary>
    Task<ApiResult<RunAccepted>> ReprocessAsync(string dataset, ReprocessRequest request, CancellationToken cancellationToken = default);

    /// <summary>GET /api/runs/{runId}.</summary>
    Task<ApiResult<RunStatusResponse>> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>GET /api/runs.</summary>
    Task<ApiResult<RunListResponse>> ListRunsAsync(string? dataset, string? status, int? top, string? continuation, CancellationToken cancellationToken = default);

    /// <summary>POST /api/runs/{runId}/cancel.</summary>
    Task<ApiResult<RunStatusResponse>> CancelRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>GET /api/datasets/{dataset}: the curated table's current version, rows and files, and the aggregate's last refresh.</summary>
    Task<ApiResult<DatasetStatusResponse>> GetDatasetAsync(string dataset, CancellationToken cancellationToken = default);

    /// <summary>A message from backfill-requests (already parsed and validated).</summary>
    Task<ApiResult<RunAccepted>> StartBackfillAsync(BackfillRequest request, CancellationToken cancellationToken = default);
}
