using Tributary.Testing.Processes;
using System.Diagnostics;
using Azure.Storage.Blobs;
using Xunit.Abstractions;
using Tributary.Cli.Hosting;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Cli.Tests.IntegrationTests.Tables;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Testing.Faults;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// `serve` (a child process) talks to Azurite only through <see cref="FaultyStorageProxy"/>: blob, queue and table
/// endpoints, the data clients and the Durable Task engine alike. The test reads the outcome directly from Azurite and
/// judges the table against the oracle (DuckDB over the raw file): the file's valid rows exactly once, one commit.
/// Each case has its own Azurite, so the table holds that case's run only.
/// </summary>
public abstract class StorageFaultTestBase(AzuriteFixture azurite, ITestOutputHelper output) : IDisposable
{
    private const string Dataset = "taxi";

    private readonly string work = Directory.CreateTempSubdirectory("tributary-storage-faults-").FullName;

    protected AzuriteFixture Azurite => azurite;

    protected ITestOutputHelper Output => output;

    protected async Task<(string RunId, string File, RunManifest Manifest, ServeChild Serve)> RunThroughAsync(
        FaultyStorageProxy proxy, string blobName, int seed, Func<TributaryHost, string, Task>? duringRun)
    {
        var clock = Stopwatch.StartNew();
        var taskHub = TestHosts.NewTaskHub();
        var file = Path.Combine(work, $"{seed}.csv");
        SampleDataSet.WriteFile(file, "csv", 3000, seed, firstTripId: seed * 1_000_000L);

        // The test's own client goes straight to Azurite: only serve sees the faults.
        await using var client = await TestHosts.StartAsync(TestHosts.Configuration(azurite.ConnectionString, taskHub), HostRole.ClientOnly, watch: false);
        var serve = await ServeChild.StartAsync(TestHosts.ChildEnvironment(TestHosts.Configuration(proxy.ConnectionString, taskHub)));
        var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
        await incoming.CreateIfNotExistsAsync();
        var uploaded = await incoming.GetBlobClient(blobName).UploadAsync(file, overwrite: true);
        var runId = RunIds.ForBlob(Dataset, blobName, uploaded.Value.ETag.ToString());
        if (duringRun is not null)
        {
            await duringRun(client, runId);
        }

        try
        {
            var manifest = await RunWaiter.WaitAsync(client.Client, runId, TimeSpan.FromMinutes(3));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: {runId} ended {manifest.Status}, table version {manifest.Table?.Version}");
            return (runId, file, manifest, serve);
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            output.WriteLine(proxy.Summary());
            output.WriteLine(serve.Output);
            serve.Dispose();
            throw;
        }
    }

    protected async Task AssertCommittedOnceAsync(string runId, string file, RunManifest manifest)
    {
        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        var tables = new DatasetTables(new BlobStore(new BlobServiceClient(azurite.ConnectionString)));
        var commits = (await DeltaLog.ReadHistoryAsync(tables.Curated(Dataset))).Where(h => h.Field("runId")?.GetString() == runId).ToList();
        var commit = Assert.Single(commits);
        Assert.Equal(commit.Version, manifest.Table?.Version);

        var (_, ids) = await TableHarness.ReadAsync(azurite.ConnectionString, Dataset, work);
        var expected = TaxiOracle.ValidRows(file);
        output.WriteLine($"table: {ids.Rows} rows, {ids.DistinctIds} distinct trip ids (oracle {expected})");
        Assert.Equal(expected, ids.Rows);
        Assert.Equal(ids.Rows, ids.DistinctIds);
        Assert.Equal(TaxiOracle.ValidIdSum(file), ids.IdSum);
    }

    public void Dispose()
    {
        Directory.Delete(work, recursive: true);
        GC.SuppressFinalize(this);
    }
}

[Trait("Category", "Slow")]
public sealed class StorageFaultInjectionTests(AzuriteFixture azurite, ITestOutputHelper output)
    : StorageFaultTestBase(azurite, output), IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_run_through_500s_503s_slow_answers_resets_lost_responses_and_412s_commits_the_oracle_rows_once()
    {
        // About one request in twenty is faulty (and one conditional write in twenty answered 412): each kind several
        // times over a run's ~1,000 requests (most of them the engine's queue polls). A lost response to a queue poll
        // hides its message for the visibility timeout (30 s), so that fault is kept rare to keep the test short. A fast run
        // makes only ~300 requests, so every 20th clean request carries a kind not injected yet: each kind at least once.
        var plan = new StorageFaultPlan
        {
            Seed = 16,
            ServerError = 0.01,
            ServerBusy = 0.01,
            Slow = 0.005,
            SlowDelay = TimeSpan.FromSeconds(3),
            ResetBeforeForward = 0.01,
            ResponseLost = 0.005,
            PreconditionFailed = 0.05,
            ForceMissingKindEvery = 20,
        };
        await using var proxy = FaultyStorageProxy.Start(Azurite.ConnectionString, plan);

        var (runId, file, manifest, serve) = await RunThroughAsync(proxy, "taxi/faults/trips.csv", seed: 7, duringRun: null);
        using (serve)
        {
            Output.WriteLine(proxy.Summary());
            Assert.False(serve.HasExited, $"serve exited:{Environment.NewLine}{serve.Output}");
            await AssertCommittedOnceAsync(runId, file, manifest);
            var injected = proxy.Injected;
            Assert.All(new[] { StorageFault.ServerError, StorageFault.ServerBusy, StorageFault.ResetBeforeForward, StorageFault.ResponseLost },
                fault => Assert.True(injected.GetValueOrDefault(fault) > 0, $"no {fault} injected: {proxy.Summary()}"));
        }
    }
}

[Trait("Category", "Slow")]
public sealed class StorageOutageTests(AzuriteFixture azurite, ITestOutputHelper output)
    : StorageFaultTestBase(azurite, output), IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Storage_refusing_connections_for_15_seconds_mid_run_leaves_serve_up_and_the_run_completes_after()
    {
        await using var proxy = FaultyStorageProxy.Start(Azurite.ConnectionString, StorageFaultPlan.None);
        var outage = TimeSpan.FromSeconds(15);

        var (runId, file, manifest, serve) = await RunThroughAsync(proxy, "taxi/outage/trips.csv", seed: 8, duringRun: async (client, id) =>
        {
            // Down once the run is under way (planned), as a storage restart would land.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((await client.Client.GetInstanceAsync(id))?.RuntimeStatus is not Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Running)
            {
                Assert.True(DateTime.UtcNow < deadline, $"run {id} never started");
                await Task.Delay(100);
            }

            Output.WriteLine($"storage down for {outage.TotalSeconds} s");
            proxy.RefuseConnections();
            await Task.Delay(outage);
            proxy.AcceptConnections();
            Output.WriteLine("storage back");
        });
        using (serve)
        {
            Assert.False(serve.HasExited, $"serve exited during the outage:{Environment.NewLine}{serve.Output}");
            await AssertCommittedOnceAsync(runId, file, manifest);
        }
    }
}

