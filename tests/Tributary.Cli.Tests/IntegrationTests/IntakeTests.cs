using Azure.Storage.Blobs;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Hosting;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>One run per blob version: seen twice starts nothing, overwritten starts a second run, racing intakes start one.</summary>
public sealed class IntakeTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-intake-").FullName;

    [Fact]
    public async Task The_same_blob_seen_twice_gives_one_run_and_an_overwrite_gives_a_second()
    {
        await using var host = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()));
        var intake = host.Services.GetRequiredService<RunIntake>();
        var blob = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient("taxi/intake/trips.csv");

        var first = SampleFile("first.csv", seed: 1);
        var uploaded = (await blob.UploadAsync(first, overwrite: true)).Value;
        var firstRun = RunIds.ForBlob("taxi", blob.Name, uploaded.ETag.ToString());
        var firstManifest = await RunWaiter.WaitAsync(host.Client, firstRun, TimeSpan.FromMinutes(2));
        var created = (await host.Client.GetInstanceAsync(firstRun))!.CreatedAt;

        // Seen again (by intake directly, and by the watcher's further scans): nothing new starts, nothing restarts.
        var again = await intake.SubmitBlobAsync(blob.Name, uploaded.ETag.ToString(), new FileInfo(first).Length);
        Assert.Equal(new IntakeOutcome(firstRun, IntakeDecision.AlreadyStarted), again);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var instance = (await host.Client.GetInstanceAsync(firstRun))!;
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(created, instance.CreatedAt);

        // Overwritten with new content: a new version, so a second run.
        var second = SampleFile("second.csv", seed: 2, rows: 700);
        var overwritten = (await blob.UploadAsync(second, overwrite: true)).Value;
        var secondRun = RunIds.ForBlob("taxi", blob.Name, overwritten.ETag.ToString());
        Assert.NotEqual(firstRun, secondRun);
        var secondManifest = await RunWaiter.WaitAsync(host.Client, secondRun, TimeSpan.FromMinutes(2));
        Assert.Equal(TaxiOracle.TotalRows(first), firstManifest.Totals.RowsRead);
        Assert.Equal(TaxiOracle.TotalRows(second), secondManifest.Totals.RowsRead);

        // Exactly two claims name this blob, one per version (other tests of the class leave claims for their own blobs).
        var state = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.State);
        var claims = new List<string>();
        await foreach (var claim in state.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "intake/taxi-", CancellationToken.None))
        {
            var content = (await state.GetBlobClient(claim.Name).DownloadContentAsync()).Value.Content.ToString();
            if (content.Contains($"\"{blob.Name}\"", StringComparison.Ordinal))
            {
                claims.Add(claim.Name);
            }
        }

        Assert.Equal(new[] { StorageLayout.IntakeClaim(firstRun), StorageLayout.IntakeClaim(secondRun) }.Order(StringComparer.Ordinal), claims.Order(StringComparer.Ordinal));
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(1)]
    [InlineData(16)]
    public async Task Files_landing_together_get_one_run_each_whether_the_watcher_takes_them_in_one_at_a_time_or_in_parallel(int parallelism)
    {
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub(), new Dictionary<string, string?> { ["Tributary:WatchParallelism"] = parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        await container.CreateIfNotExistsAsync();
        var files = new List<(string Run, string File)>();
        for (var i = 0; i < 6; i++)
        {
            var file = SampleFile($"together-{parallelism}-{i}.csv", seed: 10 + i, rows: 400 + i);
            var blob = container.GetBlobClient($"taxi/together-{parallelism}/{Path.GetFileName(file)}");
            var uploaded = (await blob.UploadAsync(file, overwrite: true)).Value;
            files.Add((RunIds.ForBlob("taxi", blob.Name, uploaded.ETag.ToString()), file));
        }

        await using var host = await TestHosts.StartAsync(configuration);
        foreach (var (run, file) in files)
        {
            var manifest = await RunWaiter.WaitAsync(host.Client, run, TimeSpan.FromMinutes(3));
            Assert.True(manifest.Status == RunStatus.Succeeded, $"{manifest.Status}: {manifest.Error}");
            Assert.Equal(file, Path.Combine(work, Path.GetFileName(Assert.Single(manifest.Inputs).Name)));
            Assert.Equal(TaxiOracle.TotalRows(file), manifest.Totals.RowsRead);
        }
    }

    [Fact]
    public async Task Racing_intakes_of_one_blob_version_start_exactly_one_run()
    {
        await using var host = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()), watch: false);
        var intake = host.Services.GetRequiredService<RunIntake>();
        var blob = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient("taxi/race/trips.csv");
        var file = SampleFile("race.csv", seed: 3);
        var uploaded = (await blob.UploadAsync(file, overwrite: true)).Value;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => intake.SubmitBlobAsync(blob.Name, uploaded.ETag.ToString(), new FileInfo(file).Length))));

        Assert.Single(outcomes, o => o.Decision == IntakeDecision.Started);
        Assert.All(outcomes, o => Assert.Equal(outcomes[0].RunId, o.RunId));
        var manifest = await RunWaiter.WaitAsync(host.Client, outcomes[0].RunId, TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Succeeded, manifest.Status);
    }

    [Fact]
    public async Task A_claim_left_by_a_crash_before_scheduling_is_taken_over()
    {
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub());
        await using var host = await TestHosts.StartAsync(configuration, watch: false);
        var store = host.Services.GetRequiredService<BlobStore>();
        var file = SampleFile("orphan.csv", seed: 4, rows: 300);
        var uploaded = (await store.Blob(BlobContainers.Incoming, "taxi/orphan/trips.csv").UploadAsync(file, overwrite: true)).Value;
        var runId = RunIds.ForBlob("taxi", "taxi/orphan/trips.csv", uploaded.ETag.ToString());

        // A claim with no orchestration behind it: what a host killed between claiming and scheduling leaves.
        await store.UploadJsonAsync(BlobContainers.State, StorageLayout.IntakeClaim(runId), new { runId });
        var options = host.Services.GetRequiredService<PipelineOptions>();
        var fresh = await host.Services.GetRequiredService<RunIntake>().SubmitBlobAsync("taxi/orphan/trips.csv", uploaded.ETag.ToString(), new FileInfo(file).Length);
        Assert.Equal(IntakeDecision.ClaimedElsewhere, fresh.Decision);

        options.IntakeClaimTimeout = TimeSpan.Zero;
        var stale = await host.Services.GetRequiredService<RunIntake>().SubmitBlobAsync("taxi/orphan/trips.csv", uploaded.ETag.ToString(), new FileInfo(file).Length);
        Assert.Equal(IntakeDecision.Started, stale.Decision);
        Assert.Equal(RunStatus.Succeeded, (await RunWaiter.WaitAsync(host.Client, runId, TimeSpan.FromMinutes(2))).Status);
    }

    private string SampleFile(string name, int seed, int rows = 1000)
    {
        var path = Path.Combine(work, name);
        SampleDataSet.WriteFile(path, "csv", rows, seed, firstTripId: 1);
        return path;
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
