using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>Production intake's core on Azurite: a BlobCreated event starts the version's run once; an invalid message is poisoned with its reason.</summary>
public sealed class BlobCreatedQueueTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-events-").FullName;

    [Fact]
    public async Task An_event_starts_one_run_for_its_version_and_an_invalid_message_goes_to_the_poison_queue_with_its_reason()
    {
        await using var host = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()), watch: false);
        var events = host.Services.GetRequiredService<BlobCreatedEvents>();
        var intake = host.Services.GetRequiredService<RunIntake>();
        var file = Path.Combine(work, "event.csv");
        SampleDataSet.WriteFile(file, "csv", 300, 41, firstTripId: 1);
        var blob = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient("taxi/events/trips.csv");
        var uploaded = (await blob.UploadAsync(file)).Value;
        var message = JsonSerializer.Serialize(new
        {
            subject = $"/blobServices/default/containers/incoming/blobs/{blob.Name}",
            eventType = BlobCreatedEvents.EventType,
            data = new { eTag = uploaded.ETag.ToString(), contentLength = new FileInfo(file).Length },
        });

        // Delivered twice (at-least-once): one run.
        Assert.True(await events.HandleAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(message)), intake));
        Assert.True(await events.HandleAsync(message, intake));
        var manifest = await RunWaiter.WaitAsync(host.Client, RunIds.ForBlob("taxi", blob.Name, uploaded.ETag.ToString()), TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(300, manifest.Totals.RowsRead);

        Assert.False(await events.HandleAsync("""{ "eventType": "Microsoft.Storage.BlobDeleted" }""", intake));
        var poison = (await new QueueServiceClient(azurite.ConnectionString).GetQueueClient(StorageQueues.BlobCreatedPoison).ReceiveMessagesAsync(10)).Value;
        var set = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(Assert.Single(poison).Body.ToString()))).RootElement;
        Assert.Contains("BlobDeleted", set.GetProperty("reason").GetString());
        Assert.Contains("BlobDeleted", set.GetProperty("message").GetString());
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
