using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Samples;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Testing;

namespace Tributary.Cli.Tests.IntegrationTests.Tables;

/// <summary>
/// Runs of one dataset finishing at the same time on one host, with the run-shape levers (processing inside planning,
/// commit queue per table, coalesced refreshes, commit and refresh in one activity) on and off: each run commits exactly once, the table holds
/// every valid row once and the aggregate equals the spec over them (oracle: DuckDB over the raw files).
/// </summary>
public sealed class RunShapeLeverTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const int Runs = 6;
    private readonly string work = Directory.CreateTempSubdirectory("tributary-runshape-").FullName;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Concurrent_runs_of_one_dataset_commit_once_each_and_the_aggregate_equals_the_oracle(bool levers)
    {
        var dataset = levers ? "taxi" : "taxi2";
        var options = await OptionsAsync(dataset, levers);
        await using var services = new ServiceCollection().AddLogging().AddTributaryCore(azurite.ConnectionString, options).BuildServiceProvider();
        await services.GetRequiredService<BlobStore>().EnsureContainersAsync();

        // Planned and processed one after another; only the ends of the runs (commit, refresh) race, as in a burst of small runs.
        var files = new List<string>();
        var requests = new List<CommitAndRefreshRequest>();
        for (var i = 0; i < Runs; i++)
        {
            var (file, request) = await PlanAndProcessAsync(services, dataset, i, levers);
            files.Add(file);
            requests.Add(request);
        }

        var ends = await Task.WhenAll(requests.Select(request => Task.Run(() => EndRunAsync(services, request, levers))));

        // Each run committed once: distinct versions 0..Runs-1, one txn per run; the host's own commits did not race.
        Assert.Equal(Enumerable.Range(0, Runs).Select(v => (long)v), ends.Select(e => e.Table.Version).Order());
        Assert.All(ends, e => Assert.False(e.Table.AlreadyCommitted));
        if (levers)
        {
            Assert.All(ends, e => Assert.Equal(0, e.Table.Conflicts));
        }

        Assert.All(ends, e => Assert.Equal(AggregationState.Succeeded, e.Aggregation.State));
        var tables = services.GetRequiredService<DatasetTables>();
        var curated = (await DeltaLog.ReadSnapshotAsync(tables.Curated(dataset)))!;
        Assert.Equal(Runs - 1, curated.Version);
        Assert.Equal(Runs, curated.Transactions.Count);

        // A redelivered end of a run finds its commit and changes nothing.
        var again = await EndRunAsync(services, requests[0], levers);
        Assert.True(again.Table.AlreadyCommitted);
        Assert.Equal(Runs - 1, (await DeltaLog.ReadSnapshotAsync(tables.Curated(dataset)))!.Version);

        var (_, ids) = await TableHarness.ReadAsync(azurite.ConnectionString, dataset, work);
        Assert.Equal(files.Sum(TaxiOracle.ValidRows), ids.Rows);
        Assert.Equal(ids.Rows, ids.DistinctIds);
        Assert.Equal(files.Sum(TaxiOracle.ValidIdSum), ids.IdSum);

        var aggregate = tables.Aggregate(dataset);
        var aggregateSnapshot = (await DeltaLog.ReadSnapshotAsync(aggregate))!;
        Assert.Equal(Runs - 1, await AggregateTableLog.ReflectedCuratedVersionAsync(aggregate, aggregateSnapshot));
        var local = await services.GetRequiredService<TableFileCache>().GetAllAsync(aggregate, aggregateSnapshot.ActiveFiles.Values.Select(a => (a.StoragePath, a.Size)));
        var actual = local.SelectMany(TaxiOracle.ReadResult).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(Expected(files), actual);
    }

    private async Task<PipelineOptions> OptionsAsync(string dataset, bool levers)
    {
        var datasets = Directory.CreateDirectory(Path.Combine(work, $"datasets-{dataset}")).FullName;
        var definition = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "datasets", "taxi.json"));
        await File.WriteAllTextAsync(Path.Combine(datasets, $"{dataset}.json"), definition.Replace("\"name\": \"taxi\"", $"\"name\": \"{dataset}\"", StringComparison.Ordinal));
        return new PipelineOptions
        {
            DatasetsPath = datasets,
            WorkDirectory = Path.Combine(work, $"scratch-{dataset}"),
            TaskHub = TestHosts.NewTaskHub(),
            RunShape = new RunShapeOptions { CommitQueue = levers, CoalesceRefreshes = levers, CommitWithRefresh = levers, ProcessWithPlan = levers },
        };
    }

    private async Task<(string File, CommitAndRefreshRequest Request)> PlanAndProcessAsync(IServiceProvider services, string dataset, int run, bool levers)
    {
        var file = Path.Combine(work, $"{dataset}-{run}.csv");
        SampleDataSet.WriteFile(file, "csv", 400, seed: 40 + run, firstTripId: 7_000_000 + (run * 10_000));
        var name = $"{dataset}/runshape/{run}.csv";
        var uploaded = (await new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobContainers.Incoming).GetBlobClient(name).UploadAsync(file, overwrite: true)).Value;
        var input = new BlobReference(BlobContainers.Incoming, name, uploaded.ETag.ToString().Trim('"'), new FileInfo(file).Length);
        var runId = $"{dataset}-runshape-{run}";

        var plan = await Activity<PlanRunActivity>(services).RunAsync(new FakeActivityContext(nameof(PlanRunActivity)), new IngestRequest(runId, dataset, [input]));

        // A one-file run of 400 rows is one small pack: with the lever, planning processed it and returned its results.
        Assert.Equal(levers, plan.Processed is not null);
        var results = plan.Processed is { } processed ? [.. await services.GetRequiredService<ChunkResultFiles>().ReadAsync([processed.Path])] : new List<ChunkResult>();
        foreach (var chunk in plan.Processed is null ? plan.Chunks : [])
        {
            results.Add(await Activity<ProcessChunkActivity>(services).RunAsync(new FakeActivityContext(nameof(ProcessChunkActivity)), chunk));
        }

        var kept = results.Where(c => c.CuratedPath is not null && c.RowsCurated > 0).OrderBy(c => c.Index).ToList();
        var parts = kept.Select(c => new TablePart(c.Index, c.Input, c.CuratedBytes ?? 0, c.CuratedStats)).ToList();
        var table = new CommitTableRequest(runId, dataset, plan.DefinitionHash, plan.Inputs ?? [input], parts);
        return (file, new CommitAndRefreshRequest(table, kept.Select(c => c.CuratedPath!).ToList()));
    }

    /// <summary>The end of a run as the orchestrator calls it: one activity with the levers on, two without.</summary>
    private static async Task<CommittedAndRefreshed> EndRunAsync(IServiceProvider services, CommitAndRefreshRequest request, bool levers)
    {
        if (levers)
        {
            return await Activity<CommitAndRefreshActivity>(services).RunAsync(new FakeActivityContext(nameof(CommitAndRefreshActivity)), request);
        }

        var table = request.Table;
        var commit = await Activity<CommitTableActivity>(services).RunAsync(new FakeActivityContext(nameof(CommitTableActivity)), table);
        var aggregation = await Activity<RefreshAggregateActivity>(services).RunAsync(
            new FakeActivityContext(nameof(RefreshAggregateActivity)), new AggregationRequest(table.RunId, table.Dataset, request.CuratedParts, table.DefinitionHash, commit.Version));
        return new CommittedAndRefreshed(commit, aggregation);
    }

    /// <summary>The oracle's (day, payment) groups over all files: trips and fares add up across files.</summary>
    private static Dictionary<(DateTime Day, string Payment), (long Trips, decimal Fare)> Expected(IEnumerable<string> files) =>
        files.SelectMany(TaxiOracle.Aggregate)
            .GroupBy(p => p.Key)
            .ToDictionary(g => g.Key, g => (g.Sum(p => p.Value.Trips), g.Sum(p => p.Value.Fare)));

    private static T Activity<T>(IServiceProvider services)
        where T : class => ActivatorUtilities.CreateInstance<T>(services);

    public void Dispose() => Directory.Delete(work, recursive: true);
}
