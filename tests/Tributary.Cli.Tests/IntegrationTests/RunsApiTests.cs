using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using DuckDB.NET.Data;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>The runs API over HTTP against a real host on Azurite: every endpoint, every error case, auth and OpenAPI.</summary>
public sealed class RunsApiTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string work = Directory.CreateTempSubdirectory("tributary-api-").FullName;

    [Fact]
    public async Task Rerun_gives_a_new_linked_run_whose_curated_outputs_equal_the_original_and_a_second_rerun_while_it_runs_is_409()
    {
        await using var api = await ApiTestHost.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()));
        var original = await DropAndWaitAsync(api, "taxi/rerun/trips.csv", rows: 3000);

        var response = await api.Http.PostAsync($"/api/runs/{original.RunId}/rerun", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<RunAccepted>(Json))!;
        Assert.Equal(RunIds.ForRerun(original.RunId, 1), accepted.RunId);
        Assert.Equal(original.RunId, accepted.RerunOf);
        Assert.Equal($"/api/runs/{accepted.RunId}", response.Headers.Location?.OriginalString);

        // The same rerun again while the first is still going: a conflict, with a reason.
        var again = await api.Http.PostAsync($"/api/runs/{original.RunId}/rerun", null);
        await AssertProblemAsync(again, HttpStatusCode.Conflict, "still running");

        var rerun = await RunWaiter.WaitAsync(api.Host.Client, accepted.RunId, TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Succeeded, rerun.Status);
        Assert.Equal(original.RunId, rerun.RerunOf);
        // The original's input was archived after its run: the rerun reads the archived copy of the same version.
        Assert.Equal(original.Inputs.Select(i => (i.Container, i.Name, i.ETag, i.Size)), rerun.Inputs.Select(i => (i.Container, i.Name, i.ETag, i.Size)));
        Assert.All(rerun.Inputs, i => Assert.Equal(StorageLayout.ArchivedInput(i.Name, i.ETag), i.Archived));
        Assert.Equal(original.Totals, rerun.Totals);
        Assert.Equal(await CuratedRowsAsync(original), await CuratedRowsAsync(rerun));
        Assert.NotEmpty(await CuratedRowsAsync(rerun));

        // Once the rerun is done, another one is allowed and numbered on.
        var third = await api.Http.PostAsync($"/api/runs/{original.RunId}/rerun", null);
        Assert.Equal(HttpStatusCode.Accepted, third.StatusCode);
        Assert.Equal(RunIds.ForRerun(original.RunId, 2), (await third.Content.ReadFromJsonAsync<RunAccepted>(Json))!.RunId);
        await RunWaiter.WaitAsync(api.Host.Client, RunIds.ForRerun(original.RunId, 2), TimeSpan.FromMinutes(2));

        // Status and listing.
        var status = (await api.Http.GetFromJsonAsync<RunStatusResponse>($"/api/runs/{accepted.RunId}", Json))!;
        Assert.Equal(RunStatus.Succeeded, status.Status);
        Assert.Equal(rerun.Totals, status.Manifest!.Totals);

        var seen = new List<string>();
        string? continuation = null;
        do
        {
            var url = $"/api/runs?dataset=taxi&status=succeeded&top=1{(continuation is null ? "" : $"&continuation={continuation}")}";
            var page = (await api.Http.GetFromJsonAsync<RunListResponse>(url, Json))!;
            Assert.True(page.Runs.Count <= 1);
            seen.AddRange(page.Runs.Select(r => r.RunId));
            continuation = page.Continuation;
        }
        while (continuation is not null);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal([original.RunId, RunIds.ForRerun(original.RunId, 1), RunIds.ForRerun(original.RunId, 2)], seen.Where(id => id.StartsWith(original.RunId, StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cancel_stops_a_running_run_and_commits_a_Canceled_manifest_once()
    {
        await using var api = await ApiTestHost.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()));
        var original = await DropAndWaitAsync(api, "taxi/cancel/trips.csv", rows: 200_000);

        var accepted = (await (await api.Http.PostAsync($"/api/runs/{original.RunId}/rerun", null)).Content.ReadFromJsonAsync<RunAccepted>(Json))!;
        var cancel = await api.Http.PostAsync($"/api/runs/{accepted.RunId}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var canceled = (await cancel.Content.ReadFromJsonAsync<RunStatusResponse>(Json))!;
        Assert.Equal(RunStatus.Canceled, canceled.Status);

        var stored = await new BlobStore(new BlobServiceClient(azurite.ConnectionString)).ReadJsonAsync<RunManifest>(BlobContainers.Results, StorageLayout.Manifest("taxi", accepted.RunId));
        Assert.Equal(RunStatus.Canceled, stored!.Status);
        var instance = await api.Host.Client.GetInstanceAsync(accepted.RunId);
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Terminated, instance!.RuntimeStatus);

        await AssertProblemAsync(await api.Http.PostAsync($"/api/runs/{accepted.RunId}/cancel", null), HttpStatusCode.Conflict, "finished already");
        var status = (await api.Http.GetFromJsonAsync<RunStatusResponse>($"/api/runs/{accepted.RunId}", Json))!;
        Assert.Equal(RunStatus.Canceled, status.Status);
    }

    [Fact]
    public async Task Every_error_is_Problem_Details_with_its_status_and_unauthenticated_calls_are_refused()
    {
        await using var api = await ApiTestHost.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()), maxBodyBytes: 1024);

        // 401: no key, a wrong key, on every endpoint.
        foreach (var (method, path) in new[] { ("GET", "/api/runs"), ("GET", "/api/runs/x"), ("POST", "/api/runs/x/rerun"), ("POST", "/api/runs/x/cancel"), ("POST", "/api/datasets/taxi/reprocess") })
        {
            await AssertProblemAsync(await api.Anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)), HttpStatusCode.Unauthorized, "authentication required");
        }

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
        wrong.Headers.Add("X-Api-Key", "not-the-key");
        await AssertProblemAsync(await api.Anonymous.SendAsync(wrong), HttpStatusCode.Unauthorized, "not valid");
        using var right = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
        right.Headers.Add("X-Api-Key", ApiTestHost.Key);
        Assert.Equal(HttpStatusCode.OK, (await api.Anonymous.SendAsync(right)).StatusCode);

        // 404: unknown run, unknown dataset.
        await AssertProblemAsync(await api.Http.GetAsync("/api/runs/taxi-0000"), HttpStatusCode.NotFound, "no run 'taxi-0000'");
        await AssertProblemAsync(await api.Http.PostAsync("/api/runs/taxi-0000/rerun", null), HttpStatusCode.NotFound, "no run");
        await AssertProblemAsync(await api.Http.PostAsync("/api/runs/taxi-0000/cancel", null), HttpStatusCode.NotFound, "no run");
        await AssertProblemAsync(await api.Http.PostAsync("/api/datasets/nosuch/reprocess", Body("{}")), HttpStatusCode.NotFound, "unknown dataset 'nosuch'");

        // 400: traversal and bad names, bad fields, bad JSON, bad paging.
        await AssertProblemAsync(await api.Http.PostAsync("/api/datasets/taxi/reprocess", Body("""{"prefix":"../results/"}""")), HttpStatusCode.BadRequest, "'..'");
        await AssertProblemAsync(await api.Http.PostAsync("/api/datasets/taxi/reprocess", Body("""{"prefix":"/etc"}""")), HttpStatusCode.BadRequest, "relative path");
        await AssertProblemAsync(await api.Http.PostAsync("/api/datasets/taxi/reprocess", Body("""{"prefix":"a\\b"}""")), HttpStatusCode.BadRequest, "relative path");
        await AssertProblemAsync(await api.Http.PostAsync("/api/datasets/Taxi%2F..%2Fx/reprocess", Body("{}")), HttpStatusCode.BadRequest, "not a dataset name");
        await AssertProblemAsync(await api.Http.PostAsync("/api/datasets/taxi/reprocess", Body("""{"from":"2026-02-01T00:00:00Z","to":"2026-01-01T00:00:00Z"}""")), HttpStatusCode.BadRequest, "to: must be after from");
        await AssertProblemAsync(await api.Http.PostAsync("/api/datasets/taxi/reprocess", Body("""{"prefix": 5}""")), HttpStatusCode.BadRequest, "not valid JSON");
        await AssertProblemAsync(await api.Http.PostAsync("/api/datasets/taxi/reprocess", Body("""{"prefx":"a"}""")), HttpStatusCode.BadRequest, "not valid JSON");
        await AssertProblemAsync(await api.Http.PostAsync("/api/datasets/taxi/reprocess", Body("{not json")), HttpStatusCode.BadRequest, "not valid JSON");
        await AssertProblemAsync(await api.Http.GetAsync("/api/runs/a..b"), HttpStatusCode.BadRequest, "not a run id");
        await AssertProblemAsync(await api.Http.GetAsync("/api/runs?top=0"), HttpStatusCode.BadRequest, "top");
        await AssertProblemAsync(await api.Http.GetAsync("/api/runs?top=many"), HttpStatusCode.BadRequest, "not a number");
        await AssertProblemAsync(await api.Http.GetAsync("/api/runs?status=Sleeping"), HttpStatusCode.BadRequest, "not one of");
        await AssertProblemAsync(await api.Http.GetAsync("/api/runs?continuation=garbage!"), HttpStatusCode.BadRequest, "continuation");

        // 413: a body over the limit, declared or streamed.
        var large = """{"prefix":"a", "pad":""" + "\"" + new string('x', 4096) + "\"}";
        await AssertProblemAsync(await api.Http.PostAsync("/api/datasets/taxi/reprocess", Body(large)), HttpStatusCode.RequestEntityTooLarge, "larger than 1024 bytes");
        var justOver = """{"prefix":"a", "pad":""" + "\"" + new string('x', 1500) + "\"}";
        var streamed = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(justOver)));
        streamed.Headers.ContentType = new("application/json");
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/datasets/taxi/reprocess") { Content = streamed };
        chunked.Headers.TransferEncodingChunked = true;
        await AssertProblemAsync(await api.Http.SendAsync(chunked), HttpStatusCode.RequestEntityTooLarge, "larger than");

        // The OpenAPI document is published and describes every endpoint.
        var openApi = await api.Anonymous.GetStringAsync("/openapi/v1.json");
        using var document = JsonDocument.Parse(openApi);
        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/runs/{runId}/rerun", "/api/datasets/{dataset}/reprocess", "/api/runs/{runId}", "/api/runs", "/api/runs/{runId}/cancel" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI lacks {path}: {openApi[..Math.Min(400, openApi.Length)]}");
        }
    }

    private async Task<RunManifest> DropAndWaitAsync(ApiTestHost api, string name, int rows)
    {
        var file = Path.Combine(work, Path.GetFileName(name));
        SampleDataSet.WriteFile(file, "csv", rows, seed: 5, firstTripId: 1);
        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        await incoming.CreateIfNotExistsAsync();
        var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true);
        var runId = RunIds.ForBlob("taxi", name, uploaded.Value.ETag.ToString());
        var manifest = await RunWaiter.WaitAsync(api.Host.Client, runId, TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        return manifest;
    }

    /// <summary>Every curated row of a run, read back with DuckDB, as sorted text.</summary>
    private async Task<List<string>> CuratedRowsAsync(RunManifest manifest)
    {
        var store = new BlobStore(new BlobServiceClient(azurite.ConnectionString));
        var files = new List<string>();
        foreach (var part in manifest.Chunks.Where(c => c.CuratedPath is not null).Select(c => c.CuratedPath!))
        {
            var local = Path.Combine(work, $"{manifest.RunId}-{files.Count}.parquet");
            await store.BlobAt(part).DownloadToAsync(local);
            files.Add(local);
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet([{string.Join(", ", files.Select(f => $"'{f}'"))}]) ORDER BY ALL";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("title").GetString()));
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains(detailContains, detail, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
