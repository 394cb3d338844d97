using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using static Tributary.Orchestrations.Aggregation.Databricks.JobsApiContracts;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Typed client for the Databricks Jobs API 2.2. Registered by
/// <see cref="DatabricksServiceCollectionExtensions.AddDatabricksJobs(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration, Azure.Core.TokenCredential?)"/>
/// with the workspace base address, an auth handler and a resilience pipeline (retry 429/5xx honouring Retry-After,
/// per-attempt and total timeouts, circuit breaker). All calls are safe to retry: run-now carries an idempotency token.
/// </summary>
public sealed class DatabricksJobsClient
{
    private readonly HttpClient _http;

    /// <summary>Creates the client over an <see cref="HttpClient"/> whose BaseAddress is the workspace URL.</summary>
    public DatabricksJobsClient(HttpClient http)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
    }

    /// <summary>
    /// <c>POST /api/2.2/jobs/run-now</c> with <c>job_parameters</c> and <c>idempotency_token</c>. Repeating the call with
    /// the same token returns the run it started the first time instead of starting another.
    /// </summary>
    public async Task<RunNowResult> RunNowAsync(
        long jobId,
        IReadOnlyDictionary<string, string> jobParameters,
        string idempotencyToken,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(jobId);
        ArgumentNullException.ThrowIfNull(jobParameters);
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyToken);
        if (idempotencyToken.Length > IdempotencyToken.MaxLength)
        {
            throw new ArgumentException($"An idempotency token has at most {IdempotencyToken.MaxLength} characters.", nameof(idempotencyToken));
        }

        using var response = await _http.PostAsJsonAsync(
            RunNowPath, new RunNowRequest(jobId, jobParameters, idempotencyToken), Json, cancellationToken).ConfigureAwait(false);
        var body = await ReadAsync<RunNowResponse>(response, "jobs/run-now", cancellationToken).ConfigureAwait(false);
        return new RunNowResult(body.RunId, body.NumberInJob);
    }

    /// <summary>
    /// <c>GET /api/2.2/jobs/runs/get?run_id=…</c>: the run's Jobs 2.2 <c>status</c> (state, termination_details,
    /// queue_details), the deprecated <c>state</c> (still read: older workspaces and proxies may send only it) and page URL.
    /// </summary>
    public async Task<DatabricksRunState> GetRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(runId);
        using var response = await _http.GetAsync(
            $"{RunsGetPath}?run_id={runId.ToString(CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
        var body = await ReadAsync<GetRunResponse>(response, "jobs/runs/get", cancellationToken).ConfigureAwait(false);
        return new DatabricksRunState(
            body.RunId == 0 ? runId : body.RunId,
            body.State?.LifeCycleState,
            body.State?.ResultState,
            body.State?.StateMessage,
            body.RunPageUrl,
            body.Status?.State,
            body.Status?.TerminationDetails?.Code,
            body.Status?.TerminationDetails?.Type,
            body.Status?.TerminationDetails?.Message,
            body.Status?.QueueDetails?.Code,
            body.Status?.QueueDetails?.Message);
    }

    /// <summary><c>POST /api/2.2/jobs/runs/cancel</c>. Asynchronous on the Databricks side: the run ends TERMINATED/CANCELED later.</summary>
    public async Task CancelRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(runId);
        using var response = await _http.PostAsJsonAsync(RunsCancelPath, new CancelRunRequest(runId), Json, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "jobs/runs/cancel", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false);
        return body ?? throw new DatabricksApiException(operation, response.StatusCode, null, "empty response body");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? errorCode = null;
        string? message = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(text))
            {
                try
                {
                    var error = JsonSerializer.Deserialize<ErrorResponse>(text, Json);
                    errorCode = error?.ErrorCode;
                    message = error?.Message;
                }
                catch (JsonException)
                {
                    message = text.Length > 500 ? text[..500] : text;
                }
            }
        }
        catch (HttpRequestException)
        {
            // Body unreadable: report the status alone.
        }

        throw new DatabricksApiException(operation, response.StatusCode, errorCode, message);
    }
}
