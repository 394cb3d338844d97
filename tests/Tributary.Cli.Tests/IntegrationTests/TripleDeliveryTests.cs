using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Cli.Tests.IntegrationTests.Tables;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// One blob version reaching intake by all three paths at once (the watcher's scan, a BlobCreated event, the sweep), and
/// the event and sweep again after its run: one orchestration, one claim, one table commit, the file's rows once.
/// </summary>
public sealed class TripleDeliveryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-triple-").FullName;

    [Fact]
    public async Task The_same_blob_from_watcher_event_and_sweep_gives_one_run_one_commit_and_its_rows_once()
    {
        await using var host = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()), watch: true);
        var events = host.Services.GetRequiredService<BlobCreatedEvents>();
        var intake = host.Services.GetRequiredService<RunIntake>();
        var sweep = host.Services.GetRequiredService<IncomingSweep>();
        host.Services.GetRequiredService<PipelineOptions>().SweepGracePeriod = TimeSpan.Zero;

        var file = Path.Combine(work, "trips.csv");
        SampleDataSet.WriteFile(file, "csv", 2000, seed: 33, firstTripId: 33_000_000);
        var blob = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient("taxi/triple/trips.csv");
        var uploaded = (await blob.UploadAsync(file)).Value;
        var runId = RunIds.ForBlob("taxi", blob.Name, uploaded.ETag.ToString());
        var message = JsonSerializer.Serialize(new
        {
            subject = $"/blobServices/default/containers/incoming/blobs/{blob.Name}",
            eventType = BlobCreatedEvents.EventType,
            data = new { eTag = uploaded.ETag.ToString(), contentLength = new FileInfo(file).Length },
        });

        // The watcher (every 0.5 s) races the event and the sweep.
        await Task.WhenAll(DeliverAsync(events, message, intake), sweep.SweepAsync());
        var manifest = await RunWaiter.WaitAsync(host.Client, runId, TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Succeeded, manifest.Status);

        // Late duplicates after the run (the event redelivered, a sweep): nothing new.
        Assert.True(await events.HandleAsync(message, intake));
        Assert.Equal(0, (await sweep.SweepAsync()).TakenIn);
        await Task.Delay(TimeSpan.FromSeconds(2));

        var instances = new List<string>();
        await foreach (var instance in host.Client.GetAllInstancesAsync(new OrchestrationQuery()))
        {
            instances.Add(instance.InstanceId);
        }

        Assert.Equal([runId], instances);
        var claims = new List<string>();
        await foreach (var claim in new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.State).GetBlobsAsync(BlobTraits.None, BlobStates.None, "intake/taxi-", CancellationToken.None))
        {
            claims.Add(claim.Name);
        }

        Assert.Single(claims);
        var history = await DeltaLog.ReadHistoryAsync(host.Services.GetRequiredService<DatasetTables>().Curated("taxi"));
        Assert.Single(history, h => h.Field("runId")?.GetString() == runId);
        var (_, ids) = await TableHarness.ReadAsync(azurite.ConnectionString, "taxi", work);
        Assert.Equal(TaxiOracle.ValidRows(file), ids.Rows);
        Assert.Equal(ids.Rows, ids.DistinctIds);
        Assert.Equal(TaxiOracle.ValidIdSum(file), ids.IdSum);
    }

    /// <summary>
    /// The queue's contract: a handler that throws (the version is being started by another intake right now) gets the
    /// message again after its visibility timeout, here shortened to a second.
    /// </summary>
    private static async Task DeliverAsync(BlobCreatedEvents events, string message, RunIntake intake)
    {
        for (var delivery = 1; ; delivery++)
        {
            try
            {
                Assert.True(await events.HandleAsync(message, intake));
                return;
            }
            catch (InvalidOperationException) when (delivery < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
