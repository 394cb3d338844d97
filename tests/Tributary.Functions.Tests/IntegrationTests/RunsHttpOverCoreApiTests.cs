using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Functions.Http;
using Tributary.Functions.Intake;
using Tributary.Functions.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions.Tests.IntegrationTests;

/// <summary>
/// The HTTP triggers over the app's real registration of the core's runs API and storage (Azurite); only the
/// durable client is a fake, as the Functions host that binds it cannot run here.
/// </summary>
public sealed class RunsHttpOverCoreApiTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task An_unknown_run_is_a_404_problem()
    {
        var (http, _, _) = await AppAsync();

        var response = (FakeHttpResponseData)await http.GetRun(new FakeHttpRequestData("GET", "https://tributary.example/api/runs/taxi-nope"), "taxi-nope", new FakeDurableTaskClient());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(ProblemDetails.ContentType, response.Header("Content-Type"));
        Assert.Equal(404, (int?)JsonNode.Parse(response.ReadBody())!["status"]);
    }

    [Fact]
    public async Task A_rerun_of_a_blob_run_starts_the_linked_rerun_over_the_invocation_client()
    {
        var (http, blobs, services) = await AppAsync();
        var client = new FakeDurableTaskClient();
        var blob = blobs.GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient($"taxi/{Guid.NewGuid():N}.csv");
        await blob.UploadAsync(BinaryData.FromString("id\n1\n"));
        await new IncomingBlobFunctions(services, NullLogger<IncomingBlobFunctions>.Instance).IncomingBlob(blob, client, default);
        var runId = Assert.Single(client.Scheduled).InstanceId;

        var response = (FakeHttpResponseData)await http.RerunRun(new FakeHttpRequestData("POST", $"https://tributary.example/api/runs/{runId}/rerun"), runId, client);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var rerun = client.Scheduled[1];
        Assert.Equal(nameof(IngestOrchestrator), rerun.Name);
        Assert.Equal(RunIds.ForRerun(runId, 1), rerun.InstanceId);
        Assert.Equal(runId, Assert.IsType<IngestRequest>(rerun.Input).RerunOf);
        Assert.Equal(rerun.InstanceId, (string?)JsonNode.Parse(response.ReadBody())!["runId"]);
    }

    private async Task<(RunsHttpFunctions Http, BlobServiceClient Blobs, IServiceProvider Services)> AppAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppSettings.TributaryStorage] = azurite.ConnectionString })
            .Build();
        var services = new ServiceCollection().AddLogging().AddTributaryFunctions(configuration).BuildServiceProvider();
        await services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<StorageBootstrap>().Single().EnsureAsync(default);
        return (new RunsHttpFunctions(services.GetRequiredService<IRunsApiFactory>()), services.GetRequiredService<BlobServiceClient>(), services);
    }
}
