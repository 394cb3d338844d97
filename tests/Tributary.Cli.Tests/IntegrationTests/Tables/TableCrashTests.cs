using Tributary.Testing.Processes;
using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Xunit.Abstractions;
using Tributary.Cli.Hosting;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Cli.Tests.IntegrationTests.Tables;

/// <summary>
/// `serve` SIGKILLed at the table commit (before it, after it) and at the aggregate refresh, through the test-only pause
/// hooks of <see cref="CommitTableActivity"/> and <see cref="RefreshAggregateActivity"/>: after a restart without the
/// hook the run has exactly one curated commit, the table holds its rows once (oracle: DuckDB over the raw file), and the
/// aggregate has one refresh for that curated version and equals the spec over the raw rows. Each case has its own
/// Azurite and task hub; recovery waits for the queue visibility timeout (30 s).
/// </summary>
public abstract class TableCrashTestBase(AzuriteFixture azurite, ITestOutputHelper output) : IDisposable
{
    private const string Dataset = "taxi";

    private readonly string work = Directory.CreateTempSubdirectory("tributary-table-crash-").FullName;

    protected ITestOutputHelper Output => output;

    protected string Work => work;

    protected string ConnectionString => azurite.ConnectionString;

    protected DatasetTables Tables => new(new BlobStore(new BlobServiceClient(azurite.ConnectionString)));

    /// <summary>
    /// Drops one taxi file with serve running under <paramref name="pauseVariable"/>=<paramref name="pauseValue"/>, waits
    /// for the hook's log line for the run, checks <paramref name="atKill"/> while the run is paused, SIGKILLs serve,
    /// restarts it without the hook and returns the run's manifest.
    /// </summary>
    protected async Task<CrashedRun> CrashAndRecoverAsync(string pauseVariable, string pauseValue, Func<string, Task> atKill)
    {
        var clock = Stopwatch.StartNew();
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub());
        var file = Path.Combine(work, "trips.csv");
        SampleDataSet.WriteFile(file, "csv", 3000, seed: 42, firstTripId: 1_000_001);

        await using var client = await TestHosts.StartAsync(configuration, HostRole.ClientOnly, watch: false);
        var paused = new Dictionary<string, string>(TestHosts.ChildEnvironment(configuration)) { [pauseVariable] = pauseValue };
        string runId;
        using (var first = await ServeChild.StartAsync(paused))
        {
            var incoming = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming);
            await incoming.CreateIfNotExistsAsync();
            const string name = "taxi/crash/trips.csv";
            var uploaded = await incoming.GetBlobClient(name).UploadAsync(file, overwrite: true);
            runId = RunIds.ForBlob(Dataset, name, uploaded.Value.ETag.ToString());

            // The hook logs before it sleeps: the run is then parked exactly where the kill must land.
            var marker = $"Test hook: run {runId} pauses";
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (!first.Output.Contains(marker, StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, $"the run never reached the hook:{Environment.NewLine}{first.Output}");
                await Task.Delay(100);
            }

            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: {runId} paused ({pauseVariable}={pauseValue}), killing serve");
            await atKill(runId);
            first.KillHard();
        }

        // The killed host left the activity's work item leased: the restarted one picks it up after the visibility timeout.
        using var second = await ServeChild.StartAsync(TestHosts.ChildEnvironment(configuration));
        RunManifest manifest;
        try
        {
            manifest = await RunWaiter.WaitAsync(client.Client, runId, TimeSpan.FromSeconds(100));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}{Environment.NewLine}{second.Output}", e);
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: {runId} ended {manifest.Status}, table version {manifest.Table?.Version}");
        return new CrashedRun(runId, file, manifest);
    }

    /// <summary>The curated commits whose commitInfo names <paramref name="runId"/>.</summary>
    protected async Task<List<DeltaHistoryEntry>> CommitsOfAsync(string runId) =>
        (await DeltaLog.ReadHistoryAsync(Tables.Curated(Dataset))).Where(h => h.Field("runId")?.GetString() == runId).ToList();

    /// <summary>Exactly one curated commit for the run, the manifest pointing at it, and the file's valid rows in the table once.</summary>
    protected async Task AssertCommittedOnceAsync(CrashedRun run)
    {
        Assert.Equal(RunStatus.Succeeded, run.Manifest.Status);
        var commit = Assert.Single(await CommitsOfAsync(run.RunId));
        Assert.NotNull(run.Manifest.Table);
        Assert.Equal(commit.Version, run.Manifest.Table.Version);

        var (snapshot, ids) = await TableHarness.ReadAsync(azurite.ConnectionString, Dataset, work);
        Assert.NotNull(snapshot);
        var expectedRows = TaxiOracle.ValidRows(run.File);
        output.WriteLine($"table version {snapshot.Version}: {ids.Rows} rows (oracle {expectedRows})");
        Assert.Equal(expectedRows, ids.Rows);
        Assert.Equal(ids.Rows, ids.DistinctIds);
        Assert.Equal(TaxiOracle.ValidIdSum(run.File), ids.IdSum);
    }

    public void Dispose()
    {
        Directory.Delete(work, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected sealed record CrashedRun(string RunId, string File, RunManifest Manifest);
}

[Trait("Category", "Slow")]
public sealed class TableCrashBeforeCommitTests(AzuriteFixture azurite, ITestOutputHelper output)
    : TableCrashTestBase(azurite, output), IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Serve_killed_between_the_parts_upload_and_the_commit_commits_the_run_once_after_restart()
    {
        var run = await CrashAndRecoverAsync(CommitTableActivity.PauseVariable, "before:60000", async runId =>
        {
            Assert.Empty(await CommitsOfAsync(runId));
            var parts = 0;
            var curated = new BlobServiceClient(ConnectionString).GetBlobContainerClient(BlobContainers.Curated);
            await foreach (var _ in curated.GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageLayout.RunPrefix("taxi", runId), CancellationToken.None))
            {
                parts++;
            }

            Assert.True(parts > 0, "the run's parts were not uploaded before its commit");
        });

        await AssertCommittedOnceAsync(run);
    }
}

[Trait("Category", "Slow")]
public sealed class TableCrashAfterCommitTests(AzuriteFixture azurite, ITestOutputHelper output)
    : TableCrashTestBase(azurite, output), IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Serve_killed_right_after_the_commit_finds_its_txn_after_restart_and_commits_nothing_more()
    {
        long? versionAtKill = null;
        var run = await CrashAndRecoverAsync(CommitTableActivity.PauseVariable, "after:60000", async runId =>
            versionAtKill = Assert.Single(await CommitsOfAsync(runId)).Version);

        await AssertCommittedOnceAsync(run);
        // The replayed activity found its txn: the version committed before the kill is the run's only one.
        Assert.Equal(versionAtKill, run.Manifest.Table!.Version);
    }
}

[Trait("Category", "Slow")]
public sealed class TableCrashDuringRefreshTests(AzuriteFixture azurite, ITestOutputHelper output)
    : TableCrashTestBase(azurite, output), IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Serve_killed_at_the_aggregate_refresh_refreshes_once_after_restart_and_the_aggregate_equals_a_full_recompute()
    {
        long? curatedAtKill = null;
        var run = await CrashAndRecoverAsync(RefreshAggregateActivity.PauseVariable, "before:60000", async runId =>
        {
            curatedAtKill = Assert.Single(await CommitsOfAsync(runId)).Version;
            Assert.DoesNotContain(await RefreshesAsync(), v => v == curatedAtKill);
        });

        await AssertCommittedOnceAsync(run);
        Assert.Equal(curatedAtKill, run.Manifest.Table!.Version);
        Assert.Single(await RefreshesAsync(), v => v == curatedAtKill);

        // The aggregate's rows, read from its active files, against the spec's groups computed by DuckDB over the raw file.
        var aggregate = Tables.Aggregate("taxi");
        var snapshot = await DeltaLog.ReadSnapshotAsync(aggregate);
        Assert.NotNull(snapshot);
        var actual = new Dictionary<(DateTime Day, string Payment), (long Trips, decimal Fare)>();
        foreach (var add in snapshot.ActiveFiles.Values)
        {
            var local = Path.Combine(Work, $"aggregate-{Guid.NewGuid():N}.parquet");
            await File.WriteAllBytesAsync(local, (await aggregate.ReadAsync(add.StoragePath))!.ToArray());
            foreach (var (key, value) in TaxiOracle.ReadResult(local))
            {
                Assert.True(actual.TryAdd(key, value), $"group {key} appears twice in the aggregate");
            }
        }

        var expected = TaxiOracle.Aggregate(run.File);
        Output.WriteLine($"aggregate version {snapshot.Version}: {actual.Count} groups (oracle {expected.Count})");
        Assert.Equal(expected.OrderBy(e => e.Key).ToList(), actual.OrderBy(a => a.Key).ToList());
    }

    /// <summary>The curated version each REFRESH commit of the aggregate reflects.</summary>
    private async Task<List<long?>> RefreshesAsync() =>
        (await DeltaLog.ReadHistoryAsync(Tables.Aggregate("taxi")))
            .Where(h => h.Operation == AggregateTableLog.RefreshOperation)
            .Select(h => AggregateTableLog.CuratedVersionOf(h.CommitInfo))
            .ToList();
}
