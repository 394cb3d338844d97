using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Xunit.Abstractions;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>Backfills on Azurite: thousands of blobs through paged listing, sub-orchestrations and ContinueAsNew; the queue trigger and its poison queue.</summary>
[Collection(HeavyTests.Name)]
public sealed class BackfillTests(InMemoryAzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<InMemoryAzuriteFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_backfill_of_500_small_blobs_completes_in_batch_runs_with_bounded_history_and_a_second_one_skips_them_all()
    {
        var blobs = int.Parse(Environment.GetEnvironmentVariable("BACKFILL_TEST_BLOBS") ?? "500");
        var taskHub = TestHosts.NewTaskHub();
        var configuration = TestHosts.Configuration(azurite.ConnectionString, taskHub, new Dictionary<string, string?>
        {
            ["Tributary:BackfillPageSize"] = "63",
            ["Tributary:BackfillPagesPerGeneration"] = "2",

            // Tiny files: the cost is storage round-trips per chunk, so more of them in flight.
            ["Tributary:MaxChunksInFlight"] = "32",
            ["Tributary:Engine:MaxConcurrentActivities"] = "24",
        });

        var csv = Path.GetTempFileName();
        SampleDataSet.WriteFile(csv, "csv", 2, seed: 3, firstTripId: 1);
        var content = BinaryData.FromBytes(await File.ReadAllBytesAsync(csv));
        File.Delete(csv);
        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        await incoming.CreateIfNotExistsAsync();
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, blobs, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
            await incoming.GetBlobClient($"taxi/bulk/{i:D5}.csv").UploadAsync(content, overwrite: true, ct));
        output.WriteLine($"uploaded {blobs} blobs in {clock.Elapsed.TotalSeconds:F1}s");

        // No watcher: the blobs are taken in only by the backfill.
        await using var host = await TestHosts.StartAsync(configuration, watch: false);
        var api = host.Services.GetRequiredService<IRunsApi>();
        clock.Restart();
        var accepted = await api.StartBackfillAsync(new BackfillRequest("taxi", Prefix: "bulk/", BatchSize: 63, MaxParallel: 4));
        Assert.True(accepted.IsSuccess, accepted.Problem?.Detail);
        var backfillId = accepted.Value!.RunId;
        var generations = new SortedSet<int>();
        var final = await WaitForBackfillAsync(host.Client, backfillId, TimeSpan.FromMinutes(8), p => generations.Add(p.Generation));
        output.WriteLine($"backfill: {final} in {clock.Elapsed.TotalSeconds:F1}s; generations seen {string.Join(",", generations)}");

        Assert.Equal(blobs, final.Listed);
        Assert.Equal(blobs, final.Scheduled);
        Assert.Equal(blobs, final.Done);
        Assert.Equal(0, final.Failed);
        Assert.Equal(0, final.Skipped);
        Assert.Equal(8, final.Runs);
        Assert.Equal(8, final.Pages);
        Assert.Equal(3, final.Generation);

        // Every blob version is in exactly one run, and every run succeeded.
        var runs = (await new RunCatalog(new BlobStore(new BlobServiceClient(azurite.ConnectionString))).ListAsync("taxi")).Where(r => r.RunId.Contains("-bf-", StringComparison.Ordinal)).ToList();
        Assert.Equal(8, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        var inputs = new List<string>();
        foreach (var run in runs)
        {
            var manifest = await new RunCatalog(new BlobStore(new BlobServiceClient(azurite.ConnectionString))).ReadManifestAsync("taxi", run.RunId);
            inputs.AddRange(manifest!.Inputs.Select(i => i.Name));
            Assert.Equal(manifest.Inputs.Count * 2, manifest.Totals.RowsRead);
        }

        Assert.Equal(blobs, inputs.Count);
        Assert.Equal(blobs, inputs.Distinct().Count());

        // History stays bounded: only the last generation's events are kept for the instance.
        var history = new TableClient(azurite.ConnectionString, $"{taskHub}History");
        var rows = history.QueryAsync<TableEntity>(e => e.PartitionKey == backfillId, select: ["RowKey"]);
        var count = 0;
        await foreach (var _ in rows)
        {
            count++;
        }

        output.WriteLine($"history rows of the backfill instance: {count}");
        Assert.InRange(count, 1, 200);

        // The same backfill again: every processed version has left incoming for the archive (input.afterCommit), so a
        // backfill, which lists incoming, finds nothing to run.
        var again = await api.StartBackfillAsync(new BackfillRequest("taxi", Prefix: "bulk/"));
        var skipped = await WaitForBackfillAsync(host.Client, again.Value!.RunId, TimeSpan.FromMinutes(2), _ => { });
        Assert.Equal(0, skipped.Listed);
        Assert.Equal(0, skipped.Runs);
    }

    [Fact]
    public async Task Queue_messages_start_backfills_and_invalid_ones_end_on_the_poison_queue_with_their_reason()
    {
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub());
        await using var host = await TestHosts.StartAsync(configuration);
        var queues = new QueueServiceClient(azurite.ConnectionString);
        var requests = queues.GetQueueClient(StorageQueues.BackfillRequests);
        var poison = queues.GetQueueClient(StorageQueues.BackfillRequestsPoison);
        await requests.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();
        await poison.ClearMessagesAsync();

        var invalid = new Dictionary<string, string>
        {
            ["{not json"] = "not a backfill request",
            ["""{"dataset":"taxi","sise":3}"""] = "not a backfill request",
            ["""{"dataset":"nosuch"}"""] = "unknown dataset 'nosuch'",
            ["""{"dataset":"taxi","prefix":"../../results"}"""] = "'..'",
            ["""{"dataset":"taxi","batchSize":0}"""] = "batchSize",
            ["""{"prefix":"a/"}"""] = "dataset",
        };
        foreach (var message in invalid.Keys)
        {
            await requests.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(message)));
        }

        // A valid one, sent raw (not base64): both encodings are read.
        await requests.SendMessageAsync("""{"dataset":"taxi","prefix":"queued/","batchSize":5}""");

        var poisoned = new List<BackfillMessages.PoisonMessage>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (poisoned.Count < invalid.Count && DateTime.UtcNow < deadline)
        {
            foreach (var message in (await poison.ReceiveMessagesAsync(32)).Value)
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(message.Body.ToString()));
                poisoned.Add(JsonSerializer.Deserialize<BackfillMessages.PoisonMessage>(text, Json)!);
                await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }

            await Task.Delay(250);
        }

        Assert.Equal(invalid.Count, poisoned.Count);
        foreach (var (message, reason) in invalid)
        {
            var entry = Assert.Single(poisoned, p => p.Message == message);
            Assert.Contains(reason, entry.Reason, StringComparison.Ordinal);
        }

        // The valid message started a backfill, and the request queue is drained.
        var backfills = new List<OrchestrationMetadata>();
        await foreach (var instance in host.Client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = "backfill-taxi-" }))
        {
            backfills.Add(instance);
        }

        var started = Assert.Single(backfills);
        var progress = await WaitForBackfillAsync(host.Client, started.InstanceId, TimeSpan.FromMinutes(1), _ => { });
        Assert.Equal(0, progress.Listed);
        Assert.Equal(0, (await requests.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    private static async Task<BackfillProgress> WaitForBackfillAsync(DurableTaskClient client, string id, TimeSpan timeout, Action<BackfillProgress> observe)
    {
        var deadline = DateTime.UtcNow + timeout;
        OrchestrationMetadata? instance = null;
        while (DateTime.UtcNow < deadline)
        {
            instance = await client.GetInstanceAsync(id, getInputsAndOutputs: true);
            if (instance?.SerializedCustomStatus is { } status && JsonSerializer.Deserialize<BackfillProgress>(status, Json) is { } progress)
            {
                observe(progress);
            }

            if (instance?.RuntimeStatus == OrchestrationRuntimeStatus.Completed)
            {
                return instance.ReadOutputAs<BackfillProgress>()!;
            }

            Assert.False(instance?.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated, $"backfill {id} ended {instance?.RuntimeStatus}: {instance?.FailureDetails?.ErrorMessage}");
            await Task.Delay(250);
        }

        throw new TimeoutException($"backfill {id} did not finish in {timeout}: {instance?.RuntimeStatus} {instance?.SerializedCustomStatus}");
    }
}
