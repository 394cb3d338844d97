using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// Batch windows at zero replicas: an arrival enqueues a batch-seal message that stays invisible for the window's
/// maxSeconds, and that message alone (no timer, no watcher) seals the window into a run.
/// </summary>
public sealed class BatchSealQueueTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-seal-").FullName;

    [Fact]
    public async Task A_window_is_sealed_by_its_delayed_message()
    {
        var datasets = Directory.CreateDirectory(Path.Combine(work, "datasets")).FullName;
        var taxi = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", "taxi.json"));
        File.WriteAllText(Path.Combine(datasets, "sealed.json"), taxi.Replace("\"name\": \"taxi\",", "\"name\": \"sealed\",\n  \"batch\": { \"maxSeconds\": 3 },", StringComparison.Ordinal));
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub(), new Dictionary<string, string?> { ["Tributary:DatasetsPath"] = datasets });

        // No watcher and no timer sealer: only the message can seal the window.
        await using var host = await TestHosts.StartAsync(configuration, watch: false);
        var file = Path.Combine(work, "a.csv");
        SampleDataSet.WriteFile(file, "csv", 200, 31, firstTripId: 1);
        var blob = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient("sealed/a.csv");
        var uploaded = (await blob.UploadAsync(file)).Value;
        var clock = Stopwatch.StartNew();
        var outcome = await host.Services.GetRequiredService<RunIntake>().SubmitBlobAsync(blob.Name, uploaded.ETag.ToString(), new FileInfo(file).Length);
        Assert.Equal(IntakeDecision.Queued, outcome.Decision);

        // The message is there but invisible until the window is due: KEDA's queue length counts it, a receive does not.
        var queue = new QueueServiceClient(azurite.ConnectionString).GetQueueClient(StorageQueues.BatchSeal);
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await queue.ReceiveMessagesAsync(1)).Value);

        Azure.Storage.Queues.Models.QueueMessage? message = null;
        while (message is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the seal message never became visible");
            message = (await queue.ReceiveMessagesAsync(1)).Value.SingleOrDefault();
            await Task.Delay(message is null ? 200 : 0);
        }

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.5), $"visible after {clock.Elapsed}, before the window's 3 s");
        var started = await host.Services.GetRequiredService<ArrivalBatcher>().SealFromMessageAsync(message.Body.ToString());
        var runId = Assert.Single(started);
        var manifest = await RunWaiter.WaitAsync(host.Client, runId, TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(200, manifest.Totals.RowsRead);

        // The same message again (at-least-once delivery): nothing more starts, and nothing is re-enqueued.
        Assert.Empty(await host.Services.GetRequiredService<ArrivalBatcher>().SealFromMessageAsync(message.Body.ToString()));
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
