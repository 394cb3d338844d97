using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Functions.Intake;
using Tributary.Functions.Tests.Fixtures;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions.Tests.IntegrationTests;

/// <summary>
/// A dataset with a batch window: the blob trigger only records arrivals, and the timer function starts one run
/// for a window once it is due (here: full by count). Real intake and storage (Azurite), fake durable client.
/// </summary>
public sealed class SealBatchWindowsFunctionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string datasets = Directory.CreateTempSubdirectory("tributary-functions-datasets-").FullName;

    [Fact]
    public async Task Arrivals_wait_in_the_window_and_the_timer_seals_a_full_window_into_one_run()
    {
        var dataset = "win" + Guid.NewGuid().ToString("N")[..8];
        var taxi = File.ReadAllText(RepositoryFiles.Path("datasets/taxi.json"));
        var definition = taxi.Replace("\"name\": \"taxi\",", $"\"name\": \"{dataset}\",\n  \"batch\": {{ \"maxFiles\": 2, \"maxSeconds\": 3600 }},", StringComparison.Ordinal);
        Assert.NotEqual(taxi, definition);
        File.WriteAllText(Path.Combine(datasets, $"{dataset}.json"), definition);

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [AppSettings.TributaryStorage] = azurite.ConnectionString,
                ["Tributary:DatasetsPath"] = datasets,
            })
            .Build();
        var services = new ServiceCollection().AddLogging().AddTributaryFunctions(configuration).BuildServiceProvider();
        await services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<StorageBootstrap>().Single().EnsureAsync(default);
        var incoming = services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(BlobContainers.Incoming);
        var blobTrigger = new IncomingBlobFunctions(services, NullLogger<IncomingBlobFunctions>.Instance);
        var timer = new SealBatchWindowsFunction(services, NullLogger<SealBatchWindowsFunction>.Instance);
        var client = new FakeDurableTaskClient();

        var first = incoming.GetBlobClient($"{dataset}/a.csv");
        await first.UploadAsync(BinaryData.FromString("id\n1\n"));
        await blobTrigger.IncomingBlob(first, client, default);
        await timer.Run(new Microsoft.Azure.Functions.Worker.TimerInfo(), client, default);
        Assert.Empty(client.Scheduled);

        var second = incoming.GetBlobClient($"{dataset}/b.csv");
        await second.UploadAsync(BinaryData.FromString("id\n2\n"));
        await blobTrigger.IncomingBlob(second, client, default);
        Assert.Empty(client.Scheduled);
        await timer.Run(new Microsoft.Azure.Functions.Worker.TimerInfo(), client, default);

        var run = Assert.Single(client.Scheduled);
        Assert.Equal(nameof(IngestOrchestrator), run.Name);
        var request = Assert.IsType<IngestRequest>(run.Input);
        Assert.Equal([first.Name, second.Name], request.Inputs.Select(i => i.Name).Order());
        Assert.Equal(run.InstanceId, request.RunId);
    }

    public void Dispose() => Directory.Delete(datasets, recursive: true);
}
