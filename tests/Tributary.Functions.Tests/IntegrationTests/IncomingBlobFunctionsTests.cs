using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Functions.Intake;
using Tributary.Functions.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions.Tests.IntegrationTests;

/// <summary>
/// The blob triggers against real storage (Azurite) and the core's real intake; only the durable client
/// is a fake, because the Functions host that would provide it cannot run here.
/// </summary>
public sealed class IncomingBlobFunctionsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_new_blob_starts_one_ingest_run_with_the_intake_run_id()
    {
        var (functions, blobs) = await AppAsync();
        var blob = await UploadAsync(blobs, "taxi/2026/11/trips.csv", "id,fare\n1,2.5\n");
        var listed = await ListedAsync(blobs, blob.Name);
        var client = new FakeDurableTaskClient();

        await functions.IncomingBlob(blob, client, default);

        // The standalone watcher passes the listing's name and ETag to the same intake: same id.
        var expectedId = RunIds.ForBlob("taxi", blob.Name, listed.Properties.ETag!.Value.ToString());
        var scheduled = Assert.Single(client.Scheduled);
        Assert.Equal(nameof(IngestOrchestrator), scheduled.Name);
        Assert.Equal(expectedId, scheduled.InstanceId);
        var input = Assert.IsType<IngestRequest>(scheduled.Input);
        Assert.Equal(expectedId, input.RunId);
        Assert.Equal("taxi", input.Dataset);
        var reference = Assert.Single(input.Inputs);
        Assert.Equal(new BlobReference(BlobContainers.Incoming, blob.Name, listed.Properties.ETag!.Value.ToString().Trim('"'), 14), reference);
    }

    [Fact]
    public async Task The_same_blob_version_from_both_sources_starts_one_run()
    {
        var (functions, blobs) = await AppAsync();
        var blob = await UploadAsync(blobs, "taxi/twice.csv", "id\n1\n");
        var client = new FakeDurableTaskClient();

        await functions.IncomingBlob(blob, client, default);
        await functions.IncomingBlobEventGrid(blob, client, default);
        await functions.IncomingBlob(blob, client, default);

        Assert.Single(client.Scheduled);
    }

    [Fact]
    public async Task An_overwritten_blob_is_a_new_version_and_a_new_run()
    {
        var (functions, blobs) = await AppAsync();
        var blob = await UploadAsync(blobs, "taxi/overwritten.csv", "id\n1\n");
        var client = new FakeDurableTaskClient();

        await functions.IncomingBlob(blob, client, default);
        await blob.UploadAsync(BinaryData.FromString("id\n1\n2\n"), overwrite: true);
        await functions.IncomingBlob(blob, client, default);

        Assert.Equal(2, client.Scheduled.Select(s => s.InstanceId).Distinct().Count());
    }

    [Fact]
    public async Task When_scheduling_fails_the_trigger_fails_and_a_retry_within_the_claim_timeout_fails_too()
    {
        var (functions, blobs) = await AppAsync(claimTimeout: TimeSpan.FromHours(1));
        var blob = await UploadAsync(blobs, "taxi/flaky.csv", "id\n1\n");
        var client = new FakeDurableTaskClient { FailScheduling = new IOException("task hub unreachable") };

        await Assert.ThrowsAsync<IOException>(() => functions.IncomingBlob(blob, client, default));
        client.FailScheduling = null;
        var retry = await Assert.ThrowsAsync<IntakeClaimedElsewhereException>(() => functions.IncomingBlob(blob, client, default));

        Assert.Empty(client.Scheduled);
        Assert.StartsWith("taxi-", retry.RunId);
    }

    [Fact]
    public async Task A_retry_after_the_claim_timeout_takes_over_and_starts_the_run_once()
    {
        var (functions, blobs) = await AppAsync(claimTimeout: TimeSpan.Zero);
        var blob = await UploadAsync(blobs, "taxi/recovered.csv", "id\n1\n");
        var client = new FakeDurableTaskClient { FailScheduling = new IOException("task hub unreachable") };

        await Assert.ThrowsAsync<IOException>(() => functions.IncomingBlob(blob, client, default));
        client.FailScheduling = null;
        await functions.IncomingBlob(blob, client, default);
        await functions.IncomingBlob(blob, client, default);

        Assert.Single(client.Scheduled);
    }

    [Fact]
    public async Task The_worker_creates_the_containers_and_queues_at_start()
    {
        await AppAsync();
        var account = new Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString);

        foreach (var queue in StorageQueues.All)
        {
            Assert.True(await account.GetQueueClient(queue).ExistsAsync(), $"queue {queue}");
        }

        foreach (var container in BlobContainers.All)
        {
            Assert.True(await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(container).ExistsAsync(), $"container {container}");
        }
    }

    /// <summary>The app's own service registration, from app settings, over Azurite.</summary>
    private async Task<(IncomingBlobFunctions Functions, BlobServiceClient Blobs)> AppAsync(TimeSpan? claimTimeout = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [AppSettings.TributaryStorage] = azurite.ConnectionString,
            ["Tributary:IntakeClaimTimeout"] = (claimTimeout ?? TimeSpan.FromSeconds(30)).ToString(),
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddTributaryFunctions(configuration).BuildServiceProvider();
        await services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<StorageBootstrap>().Single().EnsureAsync(default);
        var functions = new IncomingBlobFunctions(services, NullLogger<IncomingBlobFunctions>.Instance);
        return (functions, services.GetRequiredService<BlobServiceClient>());
    }

    private static async Task<BlobClient> UploadAsync(BlobServiceClient blobs, string name, string content)
    {
        // Unique per test run: the class shares one Azurite.
        var blob = blobs.GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient(name.Insert(name.IndexOf('/') + 1, Guid.NewGuid().ToString("N")[..8] + "-"));
        await blob.UploadAsync(BinaryData.FromString(content));
        return blob;
    }

    private static async Task<Azure.Storage.Blobs.Models.BlobItem> ListedAsync(BlobServiceClient blobs, string name)
    {
        await foreach (var item in blobs.GetBlobContainerClient(BlobContainers.Incoming).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, name, CancellationToken.None))
        {
            if (item.Name == name)
            {
                return item;
            }
        }

        throw new InvalidOperationException($"{name} is not listed");
    }
}
