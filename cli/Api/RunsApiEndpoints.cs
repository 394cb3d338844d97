using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Orchestrations.Api;

namespace Tributary.Cli.Api;

/// <summary>The runs API as minimal-API endpoints: HTTP in, a call of the core's <see cref="IRunsApi"/>, HTTP out.</summary>
public static class RunsApiEndpoints
{
    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static void MapRunsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("runs");

        api.MapPost("/runs/{runId}/rerun", async (string runId, IRunsApi runs, CancellationToken ct) => ToHttp(await runs.RerunAsync(runId, ct)))
            .WithName("RerunRun").WithSummary("Start a new run over the same blob versions, linked to the original.")
            .Produces<RunAccepted>(StatusCodes.Status202Accepted).ProducesProblem(400).ProducesProblem(401).ProducesProblem(404).ProducesProblem(409);

        api.MapPost("/datasets/{dataset}/reprocess", async (string dataset, HttpRequest request, IRunsApi runs, ApiOptions options, CancellationToken ct) =>
            {
                var (body, problem) = await ReadBodyAsync<ReprocessRequest>(request, options, ct);
                if (problem?.Outcome == ApiOutcome.TooLarge)
                {
                    await RejectOversizedAsync(request, problem, options.MaxDrainBytes, ct);
                    return Results.Empty;
                }

                return problem is not null ? ToHttp(problem) : ToHttp(await runs.ReprocessAsync(dataset, body ?? new ReprocessRequest(), ct));
            })
            .WithName("ReprocessDataset").WithSummary("Reprocess the dataset's blobs that match (a backfill started over HTTP).")
            .Accepts<ReprocessRequest>("application/json")
            .Produces<RunAccepted>(StatusCodes.Status202Accepted).ProducesProblem(400).ProducesProblem(401).ProducesProblem(404).ProducesProblem(413);

        api.MapGet("/runs/{runId}", async (string runId, IRunsApi runs, CancellationToken ct) => ToHttp(await runs.GetRunAsync(runId, ct)))
            .WithName("GetRun").WithSummary("A run's (or a backfill's) status, progress and manifest.")
            .Produces<RunStatusResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(404);

        api.MapGet("/datasets/{dataset}", async (string dataset, IRunsApi runs, CancellationToken ct) => ToHttp(await runs.GetDatasetAsync(dataset, ct)))
            .WithName("GetDataset").WithSummary("A dataset's curated table (version, rows, files) and the aggregate's last refresh.")
            .Produces<DatasetStatusResponse>().ProducesProblem(401).ProducesProblem(404);

        api.MapGet("/runs", async (string? dataset, string? status, string? top, string? continuation, IRunsApi runs, CancellationToken ct) =>
            {
                int? count = null;
                if (top is not null)
                {
                    if (!int.TryParse(top, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                    {
                        return ToHttp(ApiProblem.BadRequest($"top: '{ApiValidation.Shown(top)}' is not a number", ApiValidation.Errors(("top", "not a number"))));
                    }

                    count = parsed;
                }

                return ToHttp(await runs.ListRunsAsync(dataset, status, count, continuation, ct));
            })
            .WithName("ListRuns").WithSummary("Runs, a page at a time; filter by dataset and status.")
            .Produces<RunListResponse>().ProducesProblem(400).ProducesProblem(401);

        api.MapPost("/runs/{runId}/cancel", async (string runId, IRunsApi runs, CancellationToken ct) => ToHttp(await runs.CancelRunAsync(runId, ct)))
            .WithName("CancelRun").WithSummary("Stop a run (and its Databricks run, if one is in flight).")
            .Produces<RunStatusResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(404).ProducesProblem(409);
    }

    public static IResult ToHttp<T>(ApiResult<T> result) => result.Problem is { } problem
        ? ToHttp(problem)
        : result.Outcome == ApiOutcome.Accepted && result.Value is RunAccepted accepted
            ? Results.Accepted(accepted.StatusUrl, accepted)
            : Results.Json(result.Value, statusCode: HttpStatusOf.Outcome(result.Outcome));

    public static IResult ToHttp(ApiProblem problem) => Results.Problem(
        detail: problem.Detail,
        statusCode: HttpStatusOf.Outcome(problem.Outcome),
        title: problem.Title,
        extensions: problem.Errors is null ? null : new Dictionary<string, object?> { ["errors"] = problem.Errors });

    /// <summary>
    /// A clean 413 for an oversized body, also when it is streamed (chunked, no Content-Length): the answer is sent and
    /// flushed first, with Connection: close, then the rest of the body is read and dropped (up to a bound, within 30 s),
    /// so the client gets to finish sending and read the answer; Kestrel then closes the connection with nothing unread,
    /// which is a FIN, not a reset. A body past the bound is not read on: the connection is closed, as Kestrel's own
    /// limit would.
    /// </summary>
    private static async Task RejectOversizedAsync(HttpRequest request, ApiProblem problem, long drainBytes, CancellationToken cancellationToken)
    {
        var context = request.HttpContext;
        context.Response.Headers.Connection = "close";
        await ToHttp(problem).ExecuteAsync(context);
        await context.Response.CompleteAsync();
        if (request.ContentLength > drainBytes)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var scratch = new byte[64 * 1024];
        try
        {
            while (await request.Body.ReadAsync(scratch, timeout.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException or OperationCanceledException)
        {
            // Past the bound, too slow, or the client gave up: the connection is closed either way.
        }
    }

    /// <summary>Reads a JSON body within the size limit: 413 when over it, 400 with the parser's reason when malformed; no body is null.</summary>
    private static async Task<(T? Body, ApiProblem? Problem)> ReadBodyAsync<T>(HttpRequest request, ApiOptions options, CancellationToken cancellationToken)
        where T : class
    {
        var limit = options.MaxBodyBytes;

        // Kestrel's own cap for this request is the drain bound: the limit itself is enforced here, with an answer.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = Math.Max(limit + 1, options.MaxDrainBytes);
        }

        var tooLarge = ApiProblem.TooLarge($"the request body is larger than {limit} bytes");
        var chunk = new byte[8192];
        using var buffer = new MemoryStream();
        try
        {
            if (request.ContentLength > limit)
            {
                return (null, tooLarge);
            }

            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, tooLarge);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Past Kestrel's own cap the connection cannot be kept; say so rather than let the client reuse it.
            request.HttpContext.Response.Headers.Connection = "close";
            return (null, tooLarge);
        }

        if (buffer.Length == 0)
        {
            return (null, null);
        }

        try
        {
            var body = JsonSerializer.Deserialize<T>(buffer.ToArray(), BodyJson);
            return (body, null);
        }
        catch (JsonException ex)
        {
            var reason = ex.Message.Split(" Path:")[0];
            return (null, ApiProblem.BadRequest($"the body is not valid JSON for this request: {reason} (at {ex.Path ?? "$"})", ApiValidation.Errors(("body", reason))));
        }
    }
}
