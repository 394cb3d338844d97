using System.Net;
using System.Text.Json.Nodes;
using Tributary.Functions.Http;
using Tributary.Functions.Tests.Fixtures;
using Tributary.Orchestrations.Api;

namespace Tributary.Functions.Tests.UnitTests;

/// <summary>The HTTP triggers translate requests into runs-API calls over the invocation's durable client, and answers back.</summary>
public sealed class RunsHttpFunctionsTests : IAsyncDisposable
{
    private readonly FakeRunsApi api = new();
    private readonly FakeDurableTaskClient client = new();

    public ValueTask DisposeAsync() => client.DisposeAsync();
    private readonly RunsHttpFunctions functions;

    public RunsHttpFunctionsTests() => functions = new RunsHttpFunctions(api);

    [Fact]
    public async Task Rerun_calls_the_api_with_the_route_id_and_answers_202_with_location()
    {
        var response = await Send(functions.RerunRun(Post("runs/taxi-abc/rerun"), "taxi-abc", client));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(("RerunAsync", "taxi-abc"), (api.Calls.Single().Method, (string?)api.Calls.Single().Arguments[0]));
        Assert.Same(client, api.Client);
        Assert.Equal("/api/runs/taxi-run1", response.Header("Location"));
        var body = JsonNode.Parse(response.ReadBody())!;
        Assert.Equal("taxi-run1", (string?)body["runId"]);
        Assert.Equal("Pending", (string?)body["status"]);
        Assert.StartsWith("application/json", response.Header("Content-Type"));
    }

    [Fact]
    public async Task Reprocess_passes_the_parsed_body()
    {
        var response = await Send(functions.ReprocessDataset(
            Post("datasets/taxi/reprocess", """{"prefix":"2026/11/","from":"2026-11-01T00:00:00Z","force":true}"""), "taxi", client));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var (method, arguments) = api.Calls.Single();
        Assert.Equal("ReprocessAsync", method);
        Assert.Equal("taxi", arguments[0]);
        Assert.Equal(new ReprocessRequest("2026/11/", DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), null, true), arguments[1]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    public async Task Reprocess_without_a_body_reprocesses_everything(string body)
    {
        await Send(functions.ReprocessDataset(Post("datasets/taxi/reprocess", body), "taxi", client));

        Assert.Equal(new ReprocessRequest(), api.Calls.Single().Arguments[1]);
    }

    [Theory]
    [InlineData("{not json", "$")]
    [InlineData("""{"prefix": 42}""", "$.prefix")]
    [InlineData("""{"prefx": "2026/"}""", "$.prefx")]
    [InlineData("   ", "$")]
    public async Task Reprocess_with_a_bad_body_is_a_400_problem_and_calls_nothing(string body, string at)
    {
        var response = await Send(functions.ReprocessDataset(Post("datasets/taxi/reprocess", body), "taxi", client));

        var problem = AssertProblem(response, 400, "https://tools.ietf.org/html/rfc9110#section-15.5.1");
        Assert.StartsWith("the body is not valid JSON for this request: ", (string?)problem["detail"]);
        Assert.EndsWith($"(at {at})", (string?)problem["detail"]);
        Assert.NotEmpty((string?)problem["errors"]!["body"]![0] ?? "");
        Assert.Empty(api.Calls);
    }

    [Fact]
    public async Task Reprocess_with_an_oversized_body_is_a_413_problem()
    {
        var body = $$"""{"prefix":"{{new string('a', RunsHttpFunctions.MaxBodyBytes)}}"}""";

        var response = await Send(functions.ReprocessDataset(Post("datasets/taxi/reprocess", body), "taxi", client));

        AssertProblem(response, 413, "https://tools.ietf.org/html/rfc9110#section-15.5.14");
        Assert.Empty(api.Calls);
    }

    [Fact]
    public async Task List_passes_the_query()
    {
        var response = await Send(functions.ListRuns(Get("runs?dataset=taxi&status=Failed&top=5&continuation=abc"), client));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["taxi", "Failed", 5, "abc"], api.Calls.Single().Arguments);
    }

    [Theory]
    [InlineData("five")]
    [InlineData("1.5")]
    public async Task List_with_a_top_that_is_no_number_is_a_400_naming_the_parameter(string top)
    {
        var response = await Send(functions.ListRuns(Get($"runs?top={top}"), client));

        var problem = AssertProblem(response, 400, "https://tools.ietf.org/html/rfc9110#section-15.5.1");
        Assert.Equal($"top: '{top}' is not a number", (string?)problem["detail"]);
        Assert.Equal("not a number", (string?)problem["errors"]!["top"]![0]);
        Assert.Empty(api.Calls);
    }

    [Fact]
    public async Task List_leaves_the_range_of_top_to_the_api()
    {
        await Send(functions.ListRuns(Get("runs?top=-3"), client));

        Assert.Equal(-3, api.Calls.Single().Arguments[2]);
    }

    [Fact]
    public async Task Answers_write_nulls_like_the_standalone_host_and_problems_leave_them_out()
    {
        var ok = await Send(functions.GetRun(Get("runs/taxi-run1"), "taxi-run1", client));
        api.Status = ApiProblem.NotFound("no run 'x'");
        var missing = await Send(functions.GetRun(Get("runs/x"), "x", client));

        Assert.True(JsonNode.Parse(ok.ReadBody())!.AsObject().ContainsKey("manifest"));
        Assert.False(JsonNode.Parse(missing.ReadBody())!.AsObject().ContainsKey("errors"));
    }

    [Fact]
    public async Task An_api_problem_becomes_problem_details_with_its_status_detail_and_errors()
    {
        api.Status = ApiProblem.NotFound("no run 'taxi-nope'");

        var response = await Send(functions.GetRun(Get("runs/taxi-nope"), "taxi-nope", client));

        var problem = AssertProblem(response, 404, "https://tools.ietf.org/html/rfc9110#section-15.5.5");
        Assert.Equal("Not found", (string?)problem["title"]);
        Assert.Equal("no run 'taxi-nope'", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Validation_errors_of_the_api_reach_the_client()
    {
        api.Accepted = ApiProblem.BadRequest("the request is invalid", new Dictionary<string, string[]> { ["to"] = ["before from"] });

        var response = await Send(functions.ReprocessDataset(Post("datasets/taxi/reprocess", "{}"), "taxi", client));

        var problem = AssertProblem(response, 400, "https://tools.ietf.org/html/rfc9110#section-15.5.1");
        Assert.Equal("before from", (string?)problem["errors"]!["to"]![0]);
    }

    [Fact]
    public async Task Cancel_calls_the_api_with_the_route_id()
    {
        var response = await Send(functions.CancelRun(Post("runs/taxi-abc/cancel"), "taxi-abc", client));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("CancelRunAsync", "taxi-abc"), (api.Calls.Single().Method, (string?)api.Calls.Single().Arguments[0]));
    }

    private static FakeHttpRequestData Post(string path, string? body = null) => new("POST", "https://tributary.example/api/" + path, body);

    private static FakeHttpRequestData Get(string path) => new("GET", "https://tributary.example/api/" + path);

    private static async Task<FakeHttpResponseData> Send(Task<Microsoft.Azure.Functions.Worker.Http.HttpResponseData> call) => (FakeHttpResponseData)await call;

    private static JsonNode AssertProblem(FakeHttpResponseData response, int status, string type)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(ProblemDetails.ContentType, response.Header("Content-Type"));
        var problem = JsonNode.Parse(response.ReadBody())!;
        Assert.Equal(status, (int?)problem["status"]);
        Assert.Equal(type, (string?)problem["type"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
        return problem;
    }
}
