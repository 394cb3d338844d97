using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;
using Tributary.Orchestrations.Api;

namespace Tributary.Functions.Http;

/// <summary>
/// The runs API over HTTP triggers: the same routes, bodies and Problem Details as the standalone host,
/// because both only translate HTTP to <see cref="IRunsApi"/> and back. Function keys guard every route.
/// </summary>
public sealed class RunsHttpFunctions(IRunsApiFactory apis)
{
    /// <summary>A reprocess body is a handful of fields; anything larger is refused before parsing.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Answers as the standalone host's minimal API writes them: web defaults, nulls included.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Problem Details leave out what is not set (errors of a non-validation problem).</summary>
    private static readonly JsonSerializerOptions ProblemJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonSerializerOptions StrictJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    [Function(FunctionNames.RerunRun)]
    public async Task<HttpResponseData> RerunRun(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{runId}/rerun")] HttpRequestData request,
        string runId,
        [DurableClient] DurableTaskClient client) =>
        await RespondAsync(request, await apis.Create(client).RerunAsync(runId, request.FunctionContext.CancellationToken));

    [Function(FunctionNames.ReprocessDataset)]
    public async Task<HttpResponseData> ReprocessDataset(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "datasets/{dataset}/reprocess")] HttpRequestData request,
        string dataset,
        [DurableClient] DurableTaskClient client)
    {
        var body = await ReadBodyAsync<ReprocessRequest>(request, whenEmpty: new ReprocessRequest());
        if (body.Problem is not null)
        {
            return await RespondAsync(request, body);
        }

        return await RespondAsync(request, await apis.Create(client).ReprocessAsync(dataset, body.Value!, request.FunctionContext.CancellationToken));
    }

    [Function(FunctionNames.GetRun)]
    public async Task<HttpResponseData> GetRun(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs/{runId}")] HttpRequestData request,
        string runId,
        [DurableClient] DurableTaskClient client) =>
        await RespondAsync(request, await apis.Create(client).GetRunAsync(runId, request.FunctionContext.CancellationToken));

    [Function(FunctionNames.GetDataset)]
    public async Task<HttpResponseData> GetDataset(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "datasets/{dataset}")] HttpRequestData request,
        string dataset,
        [DurableClient] DurableTaskClient client) =>
        await RespondAsync(request, await apis.Create(client).GetDatasetAsync(dataset, request.FunctionContext.CancellationToken));

    [Function(FunctionNames.ListRuns)]
    public async Task<HttpResponseData> ListRuns(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs")] HttpRequestData request,
        [DurableClient] DurableTaskClient client)
    {
        // Only the type is checked here; its range is the API's business, as in the standalone host.
        var query = request.Query;
        int? top = null;
        if (query["top"] is { } text)
        {
            if (!int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                return await RespondAsync<RunListResponse>(request, ApiProblem.BadRequest(
                    $"top: '{text}' is not a number", new Dictionary<string, string[]> { ["top"] = ["not a number"] }));
            }

            top = parsed;
        }

        return await RespondAsync(request, await apis.Create(client).ListRunsAsync(
            query["dataset"], query["status"], top, query["continuation"], request.FunctionContext.CancellationToken));
    }

    [Function(FunctionNames.CancelRun)]
    public async Task<HttpResponseData> CancelRun(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{runId}/cancel")] HttpRequestData request,
        string runId,
        [DurableClient] DurableTaskClient client) =>
        await RespondAsync(request, await apis.Create(client).CancelRunAsync(runId, request.FunctionContext.CancellationToken));

    /// <summary>The body as <typeparamref name="T"/>; no body (or JSON null) means <paramref name="whenEmpty"/>; anything unreadable is a 400, too much a 413.</summary>
    private static async Task<ApiResult<T>> ReadBodyAsync<T>(HttpRequestData request, T whenEmpty)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.FunctionContext.CancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return ApiProblem.TooLarge($"the request body is larger than {MaxBodyBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return ApiResult.Ok(whenEmpty);
        }

        try
        {
            return ApiResult.Ok(JsonSerializer.Deserialize<T>(buffer.ToArray(), StrictJson) ?? whenEmpty);
        }
        catch (JsonException ex)
        {
            var reason = ex.Message.Split(" Path:")[0];
            return ApiProblem.BadRequest(
                $"the body is not valid JSON for this request: {reason} (at {ex.Path ?? "$"})",
                new Dictionary<string, string[]> { ["body"] = [reason] });
        }
    }

    private static async Task<HttpResponseData> RespondAsync<T>(HttpRequestData request, ApiResult<T> result)
    {
        var response = request.CreateResponse(HttpStatusOf.Outcome(result.Outcome));
        if (result.Problem is { } problem)
        {
            response.Headers.Add("Content-Type", ProblemDetails.ContentType);
            await response.WriteStringAsync(JsonSerializer.Serialize(ProblemDetails.From(problem), ProblemJson));
            return response;
        }

        if (result.Value is RunAccepted { StatusUrl: { } statusUrl })
        {
            response.Headers.Add("Location", statusUrl);
        }

        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        await response.WriteStringAsync(JsonSerializer.Serialize(result.Value, Json));
        return response;
    }
}
