using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Aggregation.Databricks;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Orchestrations.Tests.Databricks;

namespace Tributary.Cli.Tests.Fixtures;

/// <summary>
/// What databricks/src/aggregate.py does, done locally for the Jobs API simulation, over the dataset's TABLES: refresh the
/// aggregate Delta table at <c>aggregate_table</c> to the curated Delta table at <c>curated_version</c> with the DuckDB
/// refresh (<see cref="AggregateRefresher"/>: affected groups from the curated commits, one aggregate commit recording the
/// curated version in commitInfo and userMetadata, an older view never written over a newer one), and write the job
/// summary to <c>summary_path</c>. abfss://{container}@{account}.dfs.core.windows.net/{path} maps to the Azurite container.
/// </summary>
public sealed class DuckDbTwinJob(string connectionString, Func<string, AggregationSpec> specOf) : IDisposable
{
    private readonly BlobServiceClient service = new(connectionString);
    private readonly string work = Directory.CreateTempSubdirectory("tributary-dbx-twin-").FullName;
    private TableFileCache? cache;

    /// <summary>The aggregation_sql each run was started with, by Tributary run id.</summary>
    public Dictionary<string, string> SparkSql { get; } = [];

    /// <summary>The job parameters each run was started with, by Tributary run id.</summary>
    public Dictionary<string, IReadOnlyDictionary<string, string>> Parameters { get; } = [];

    public async Task RunAsync(DatabricksJobsSimulator.SimRun run)
    {
        var p = run.Parameters;
        lock (SparkSql)
        {
            SparkSql[p[DatabricksJobParameters.RunId]] = p[DatabricksJobParameters.AggregationSql];
            Parameters[p[DatabricksJobParameters.RunId]] = p;
        }

        var dataset = p[DatabricksJobParameters.Dataset];
        var runId = p[DatabricksJobParameters.RunId];
        var (curatedContainer, curatedRoot) = Parse(p[DatabricksJobParameters.CuratedTable]);
        var (aggregateContainer, aggregateRoot) = Parse(p[DatabricksJobParameters.AggregateTable]);
        if ((curatedContainer, curatedRoot, aggregateContainer, aggregateRoot)
            != (BlobContainers.Curated, StorageLayout.CuratedTableRoot(dataset), BlobContainers.Results, StorageLayout.AggregateTableRoot(dataset)))
        {
            throw new InvalidOperationException($"[PATH_NOT_FOUND] unexpected tables {p[DatabricksJobParameters.CuratedTable]} / {p[DatabricksJobParameters.AggregateTable]}");
        }

        // The orchestration commits every run to the curated table and passes its version; without one, the latest (as the job does).
        var curated = new BlobDeltaStore(service.GetBlobContainerClient(BlobContainers.Curated), StorageLayout.CuratedTableRoot(dataset));
        var curatedVersion = p[DatabricksJobParameters.CuratedVersion] is { Length: > 0 } v
            ? long.Parse(v, CultureInfo.InvariantCulture)
            : (await DeltaLog.ReadSnapshotAsync(curated))?.Version ?? throw new InvalidOperationException($"[DELTA_TABLE_NOT_FOUND] no curated table of {dataset}");

        var refreshed = await RefreshAggregateAsync(dataset, specOf(dataset), curatedVersion, runId);

        var (summaryContainer, summaryName) = Parse(p[DatabricksJobParameters.SummaryPath]);
        var summary = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["dataset"] = dataset,
            ["run_id"] = runId,
            ["curated_version"] = curatedVersion,
            ["mode"] = refreshed.Mode,
            ["action"] = refreshed.Action,
            ["groups"] = refreshed.Groups,
            ["rows"] = refreshed.Rows,
            ["aggregate_version"] = refreshed.AggregateVersion,
            ["recorded_curated_version"] = refreshed.Recorded,
            ["columns"] = refreshed.Columns,
            ["result_path"] = p[DatabricksJobParameters.AggregateTable],
            ["spark_version"] = "duckdb-twin",
        });
        await service.GetBlobContainerClient(summaryContainer).GetBlobClient(summaryName).UploadAsync(BinaryData.FromString(summary), overwrite: true);
    }

    /// <summary>What a refresh did.</summary>
    public sealed record Refreshed(string Action, string Mode, long? Groups, long Rows, long AggregateVersion, long? Recorded, List<Dictionary<string, string>> Columns);

    /// <summary>
    /// The DuckDB refresh (<see cref="AggregateRefresher"/>) over the tables, its result mapped to the job summary: a
    /// refresh whose aggregate already reflects a newer curated version is dropped (skipped-stale), one that reflects
    /// this version already is a retry (skipped-already-applied), as aggregate.py decides.
    /// </summary>
    private async Task<Refreshed> RefreshAggregateAsync(string dataset, AggregationSpec spec, long curatedVersion, string runId)
    {
        var curated = new BlobDeltaStore(service.GetBlobContainerClient(BlobContainers.Curated), StorageLayout.CuratedTableRoot(dataset));
        var aggregate = new BlobDeltaStore(service.GetBlobContainerClient(BlobContainers.Results), StorageLayout.AggregateTableRoot(dataset));
        var recorded = await AggregateTableLog.ReflectedCuratedVersionAsync(aggregate, await DeltaLog.ReadSnapshotAsync(aggregate));

        var refresher = new AggregateRefresher(cache ??= new TableFileCache(Path.Combine(work, "cache")), new PipelineOptions { WorkDirectory = work });
        var result = await refresher.RefreshAsync(curated, aggregate, spec, curatedVersion, runId, full: false);
        var action = result.Committed ? DatabricksJobSummary.Applied
            : result.CuratedVersion > curatedVersion ? DatabricksJobSummary.SkippedStale
            : DatabricksJobSummary.SkippedAlreadyApplied;

        var snapshot = await DeltaLog.ReadSnapshotAsync(aggregate);
        var columns = snapshot?.Metadata.Schema.Fields.Select(f => new Dictionary<string, string> { ["name"] = f.Name, ["type"] = f.Type }).ToList() ?? [];
        return new Refreshed(action, result.Full ? "full" : "incremental", result.Full ? null : result.GroupsRefreshed,
            snapshot?.TotalRecords ?? 0, result.AggregateVersion, recorded, columns);
    }

    /// <summary>abfss://{container}@{account}.dfs.core.windows.net/{name} → (container, name).</summary>
    private (string Container, string Name) Parse(string url)
    {
        var uri = new Uri(url);
        if (uri.Scheme != "abfss" || uri.Host != $"{service.AccountName}.dfs.core.windows.net")
        {
            throw new InvalidOperationException($"[PATH_NOT_FOUND] {url} is not in storage account {service.AccountName}");
        }

        return (uri.UserInfo, Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')));
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
