using Microsoft.DurableTask.Client;
using Tributary.Functions.Http;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Runs;

namespace Tributary.Functions.Tests.Fixtures;

/// <summary>
/// Stands in for the runs API (implemented in the core, tested there): records each call with the durable
/// client it was built over, and answers what the test set up.
/// </summary>
public sealed class FakeRunsApi : IRunsApi, IRunsApiFactory
{
    public List<(string Method, object?[] Arguments)> Calls { get; } = [];

    public DurableTaskClient? Client { get; private set; }

    public ApiResult<RunAccepted> Accepted { get; set; } = ApiResult.Accepted(new RunAccepted("taxi-run1", "taxi", RunStatus.Pending, StatusUrl: "/api/runs/taxi-run1"));

    public ApiResult<RunStatusResponse> Status { get; set; } = ApiResult.Ok(new RunStatusResponse("taxi-run1", "taxi", RunStatus.Running, null, null));

    /// <summary>When set, StartBackfillAsync throws it (storage down, say).</summary>
    public Exception? BackfillFailure { get; set; }

    public ApiResult<RunListResponse> List { get; set; } = ApiResult.Ok(new RunListResponse([], null));

    public IRunsApi Create(DurableTaskClient client)
    {
        Client = client;
        return this;
    }

    public Task<ApiResult<RunAccepted>> RerunAsync(string runId, CancellationToken cancellationToken = default) => Record(Accepted, nameof(RerunAsync), runId);

    public Task<ApiResult<RunAccepted>> ReprocessAsync(string dataset, ReprocessRequest request, CancellationToken cancellationToken = default) => Record(Accepted, nameof(ReprocessAsync), dataset, request);

    public Task<ApiResult<RunStatusResponse>> GetRunAsync(string runId, CancellationToken cancellationToken = default) => Record(Status, nameof(GetRunAsync), runId);

    public Task<ApiResult<RunListResponse>> ListRunsAsync(string? dataset, string? status, int? top, string? continuation, CancellationToken cancellationToken = default) =>
        Record(List, nameof(ListRunsAsync), dataset, status, top, continuation);

    public Task<ApiResult<RunStatusResponse>> CancelRunAsync(string runId, CancellationToken cancellationToken = default) => Record(Status, nameof(CancelRunAsync), runId);

    public ApiResult<DatasetStatusResponse> Dataset { get; set; } = ApiResult.Ok(new DatasetStatusResponse("taxi", 3, 100, 2, null));

    public Task<ApiResult<DatasetStatusResponse>> GetDatasetAsync(string dataset, CancellationToken cancellationToken = default) => Record(Dataset, nameof(GetDatasetAsync), dataset);

    public Task<ApiResult<RunAccepted>> StartBackfillAsync(BackfillRequest request, CancellationToken cancellationToken = default) =>
        BackfillFailure is { } failure ? throw failure : Record(Accepted, nameof(StartBackfillAsync), request);

    private Task<T> Record<T>(T answer, string method, params object?[] arguments)
    {
        Calls.Add((method, arguments));
        return Task.FromResult(answer);
    }
}
