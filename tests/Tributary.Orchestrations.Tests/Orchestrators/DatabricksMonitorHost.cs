using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Aggregation.Databricks;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tests.Fixtures;

namespace Tributary.Orchestrations.Tests.Orchestrators;

/// <summary>
/// The real <see cref="IngestOrchestrator"/> on the in-memory Durable Task engine, with the real job parameters
/// (<see cref="DatabricksJobParameters.Build"/>, what <see cref="PrepareDatabricksRunActivity"/> sends, over the catalog's
/// definition since there is no storage to freeze it in); the storage and Databricks activities are doubles registered
/// under their real names. One host per test class.
/// </summary>
public sealed class DatabricksMonitorHost : IAsyncLifetime
{
    public const string Dataset = "taxi";
    public const string StorageRoot = "abfss://{container}@acct.dfs.core.windows.net";

    public ScriptedDatabricks Databricks { get; } = new();

    public DatasetCatalog Catalog { get; } = new(Path.Combine(RepoRoot(), "datasets"));

    public DurableTaskTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var sim = Databricks;
        var kept = new InMemoryChunkResults();
        Host = await TestEngine.StartAsync(
            registry =>
            {
                registry.AddOrchestrator<IngestOrchestrator>();
                registry.AddActivityFunc<AggregationRequest, DatabricksAggregationPlan>(nameof(PrepareDatabricksRunActivity), (_, request) =>
                {
                    var (parameters, _) = DatabricksJobParameters.Build(request, Catalog.Get(request.Dataset).Aggregation, new DatabricksAggregationSettings(true, StorageRoot), null);
                    return new DatabricksAggregationPlan(new StartDatabricksRunInput(request.RunId, parameters));
                });
                registry.AddActivityFunc<IngestRequest, RunPlan>(nameof(PlanRunActivity), (_, request) =>
                    new RunPlan([.. request.Inputs.Select((input, i) => new ChunkSpec(request.RunId, request.Dataset, i, input, DataFormat.Csv))], [], AggregationEngines.Databricks, 0.05));
                registry.AddActivityFunc<IReadOnlyList<ChunkSpec>, StoredChunkResults>(nameof(ProcessPackActivity), (_, pack) => kept.Keep(pack[0].Dataset, pack[0].RunId,
                    [.. pack.Select(chunk => new ChunkResult(chunk.Index, chunk.Input, null, null, 10, 10, 0, $"curated/{chunk.Dataset}/run={chunk.RunId}/part-{chunk.Index:D5}.parquet", null, 0.01))]));
                registry.AddActivityFunc<IReadOnlyList<string>, IReadOnlyList<ChunkResult>>(nameof(ReadChunkResultsActivity), (_, paths) => kept.Read(paths));
                // Every successful run commits to the curated table before the refresh (versions 0, 1, …).
                var tableVersion = -1L;
                registry.AddActivityFunc<CommitTableRequest, TableCommit>(nameof(CommitTableActivity), (_, request) =>
                    new TableCommit(Interlocked.Increment(ref tableVersion), request.Parts.Count, 0, false, 0, 1, []));
                registry.AddActivityFunc<StartDatabricksRunInput, StartDatabricksRunOutput>(nameof(StartDatabricksRunActivity), (_, input) => sim.Start(input));
                registry.AddActivityFunc<EngineRunRecord, string>(nameof(RecordEngineRunActivity), (_, record) =>
                {
                    sim.Records.Add(record);
                    return $"tributary-state/engine-runs/{record.RunId}.json";
                });
                registry.AddActivityFunc<DatabricksRunRef, DatabricksRunOutcome>(nameof(GetDatabricksRunActivity), (_, run) => sim.Get(run));
                registry.AddActivityFunc<DatabricksRunRef, bool>(nameof(CancelDatabricksRunActivity), (_, run) =>
                {
                    sim.Cancels.Add(run.DatabricksRunId);
                    return true;
                });
                registry.AddActivityFunc<CollectDatabricksResultInput, AggregationOutcome>(nameof(CollectDatabricksResultActivity), (_, input) =>
                    new AggregationOutcome(AggregationEngines.Databricks, input.DatabricksRunId.ToString(System.Globalization.CultureInfo.InvariantCulture), input.RunPageUrl, 42,
                        [$"results/{input.Dataset}/aggregate/", $"results/{input.Dataset}/run={input.RunId}/_databricks_summary.json"], AggregationState.Succeeded, input.Message));
                registry.AddActivityFunc<RunManifest, RunManifest>(nameof(CommitRunActivity), (_, draft) =>
                {
                    var manifest = kept.Complete(draft);
                    sim.Committed[manifest.RunId] = manifest;
                    return manifest;
                });
            },
            options => options.ConfigureServices = services =>
            {
                services.AddSingleton(Catalog);
                services.AddSingleton(new DatabricksAggregationSettings(true, StorageRoot));
            });
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public static IngestRequest Request(string runId) =>
        new(runId, Dataset, [new BlobReference("incoming", $"{Dataset}/{runId}.csv", "\"0x1\"", 100)]);

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Functions.sln not found above the test output folder.");
    }
}
