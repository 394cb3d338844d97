using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>The reconciliation sweep on a real host and Azurite: a blob no trigger saw is taken in once it is past the grace period.</summary>
public sealed class IncomingSweepTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-sweep-").FullName;

    [Fact]
    public async Task A_blob_uploaded_while_no_watcher_runs_is_taken_in_by_the_sweep_after_the_grace_period()
    {
        // No watcher: the blob lands unseen, as when an event is lost.
        await using var host = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()), watch: false);
        var file = Path.Combine(work, "missed.csv");
        SampleDataSet.WriteFile(file, "csv", 500, 21, firstTripId: 1);
        var name = $"taxi/sweep-{Guid.NewGuid():N}/trips.csv";
        var blob = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient(name);
        var uploaded = (await blob.UploadAsync(file)).Value;
        var sweep = host.Services.GetRequiredService<IncomingSweep>();
        var options = host.Services.GetRequiredService<PipelineOptions>();

        // Within the grace period its event may still come: the sweep leaves it.
        options.SweepGracePeriod = TimeSpan.FromHours(1);
        var early = await sweep.SweepAsync();
        Assert.Equal(0, early.TakenIn);
        Assert.True(early.Young >= 1);

        options.SweepGracePeriod = TimeSpan.Zero;
        var found = await sweep.SweepAsync();
        Assert.Equal(1, found.TakenIn);
        var manifest = await RunWaiter.WaitAsync(host.Client, RunIds.ForBlob("taxi", name, uploaded.ETag.ToString()), TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(500, manifest.Totals.RowsRead);

        // Its run archived it: the next sweep no longer lists it, and takes nothing in twice.
        var after = await sweep.SweepAsync();
        Assert.Equal(0, after.TakenIn);
        Assert.False((await blob.ExistsAsync()).Value);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
