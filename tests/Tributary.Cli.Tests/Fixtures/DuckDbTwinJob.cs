using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Aggregation.Databricks;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Orchestrations.Tests.Databricks;

namespace Tributary.Cli.Tests.Fixtures;

/// <summary>
/// What databricks/src/aggregate.py does, done locally for the Jobs API simulation, over the dataset's TABLES: read the
/// curated Delta table at <c>curated_version</c>, refresh the aggregate Delta table at <c>aggregate_table</c> with the
/// DuckDB twin of the compiled Spark SQL (one commit recording the curated version, as the job's userMetadata does), and
/// write the job summary to <c>summary_path</c>. abfss://{container}@{account}.dfs.core.windows.net/{path} maps to the
/// Azurite container.
/// </summary>
public sealed class DuckDbTwinJob(string connectionString, Func<string, AggregationSpec> specOf)
{
    private readonly BlobServiceClient service = new(connectionString);

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

        long? curatedVersion = p[DatabricksJobParameters.CuratedVersion] is { Length: > 0 } v ? long.Parse(v, CultureInfo.InvariantCulture) : null;
        var curated = new BlobDeltaStore(service.GetBlobContainerClient(BlobContainers.Curated), StorageLayout.CuratedTableRoot(dataset));
        if (curatedVersion is null)
        {
            curatedVersion = await CommitRunPartsUntilTablesLandAsync(curated, runId);
        }

        var refreshed = await RefreshAggregateAsync(dataset, specOf(dataset), curatedVersion.Value, runId);

        var (summaryContainer, summaryName) = Parse(p[DatabricksJobParameters.SummaryPath]);
        var summary = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["dataset"] = dataset,
            ["run_id"] = runId,
            ["curated_version"] = curatedVersion,
            ["mode"] = "full",
            ["action"] = refreshed.Action,
            ["groups"] = null,
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
    public sealed record Refreshed(string Action, long Rows, long AggregateVersion, long? Recorded, List<Dictionary<string, string>> Columns);

    /// <summary>
    /// MERGE-TIME: point this ONE method at the aggregate branch's <c>AggregateRefresher.RefreshAsync(dataset, definition,
    /// curatedVersion, ct)</c> (the DuckDB refresh: affected groups from the curated table's commits, replaced in one
    /// aggregate commit recording <c>curatedVersion</c>), and map its result to <see cref="Refreshed"/>.
    /// Until then it is the twin's own full refresh: the DuckDB twin of the compiled SQL over the curated table's active
    /// files at <paramref name="curatedVersion"/>, written as one file that replaces every file of the aggregate table, in
    /// one commit with commitInfo <c>curatedVersion</c> and Spark-style <c>userMetadata</c>. An older refresh than the
    /// aggregate's newest recorded curated version is dropped, as aggregate.py does.
    /// </summary>
    private async Task<Refreshed> RefreshAggregateAsync(string dataset, AggregationSpec spec, long curatedVersion, string runId)
    {
        var curated = new BlobDeltaStore(service.GetBlobContainerClient(BlobContainers.Curated), StorageLayout.CuratedTableRoot(dataset));
        var aggregate = new BlobDeltaStore(service.GetBlobContainerClient(BlobContainers.Results), StorageLayout.AggregateTableRoot(dataset));
        var snapshot = await DeltaLog.ReadSnapshotAsync(curated, curatedVersion)
            ?? throw new InvalidOperationException($"[DELTA_TABLE_NOT_FOUND] no curated table of {dataset} at version {curatedVersion}");

        var recorded = await AggregateTableLog.ReflectedCuratedVersionAsync(aggregate, await DeltaLog.ReadSnapshotAsync(aggregate));
        if (recorded > curatedVersion)
        {
            var current = await DeltaLog.ReadSnapshotAsync(aggregate);
            return new Refreshed(DatabricksJobSummary.SkippedStale, current?.TotalRecords ?? 0, current?.Version ?? -1, recorded, []);
        }

        using var work = new TempFolder();
        var files = new List<string>();
        foreach (var part in snapshot.ActiveFiles.Values.OrderBy(a => a.Path, StringComparer.Ordinal))
        {
            var local = Path.Combine(work.Path, $"in-{files.Count:D5}.parquet");
            await service.GetBlobContainerClient(BlobContainers.Curated).GetBlobClient(StorageLayout.CuratedTableRoot(dataset) + part.StoragePath).DownloadToAsync(local);
            files.Add(local);
        }

        if (files.Count == 0)
        {
            throw new InvalidOperationException($"[DELTA_TABLE_EMPTY] the curated table of {dataset} has no rows at version {curatedVersion}");
        }

        var result = Path.Combine(work.Path, "result.parquet");
        long rows;
        var columns = new List<Dictionary<string, string>>();
        var fields = new List<DeltaField>();
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            Execute(connection, $"CREATE VIEW {AggregationSqlCompiler.SourceRelation} AS SELECT * FROM read_parquet([{string.Join(", ", files.Select(f => $"'{f}'"))}])");
            Execute(connection, $"COPY ({AggregationSqlCompiler.Compile(spec, SqlDialect.DuckDb)}) TO '{result}' (FORMAT parquet)");
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM read_parquet('{result}')";
            rows = Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
            using var describe = connection.CreateCommand();
            describe.CommandText = $"DESCRIBE SELECT * FROM read_parquet('{result}')";
            using var reader = describe.ExecuteReader();
            while (reader.Read())
            {
                columns.Add(new() { ["name"] = reader.GetString(0), ["type"] = reader.GetString(1) });
                fields.Add(new DeltaField(reader.GetString(0), DeltaTypes.FromDuckDb(reader.GetString(1)) ?? "string"));
            }
        }

        var name = $"part-{curatedVersion:D20}-{runId}.parquet";
        await service.GetBlobContainerClient(BlobContainers.Results).GetBlobClient(StorageLayout.AggregateTableRoot(dataset) + name).UploadAsync(result, overwrite: true);
        var stats = await DeltaFileStats.ComputeAsync(result);
        var now = DateTimeOffset.UtcNow;
        var add = DeltaAdd.ForFile(name, new FileInfo(result).Length, now, stats);
        var schema = new DeltaSchema([.. fields]);
        var committed = await DeltaCommitter.CommitAsync(aggregate, $"tributary-aggregate-twin:{runId}", current =>
        {
            var metadata = current is null || current.Metadata.SchemaString != schema.ToSchemaString() ? DeltaMetadata.Create(schema) : null;
            var removes = current?.ActiveFiles.Values.Where(a => a.Path != add.Path).Select(a => a.ToRemove(now)).ToList() ?? [];
            return new DeltaCommitPlan([add], removes)
            {
                Metadata = metadata,
                Protocol = current is null ? DeltaProtocol.Default : null,
                Operation = "WRITE",
                OperationParameters = new Dictionary<string, string> { ["mode"] = "Overwrite" },
                CommitInfo = new Dictionary<string, object?>
                {
                    [AggregateTableLog.CuratedVersionField] = curatedVersion,
                    [AggregateTableLog.UserMetadataField] = JsonSerializer.Serialize(new { curatedVersion, runId, mode = "full", engine = "databricks" }),
                    ["runId"] = runId,
                },
            };
        });

        return new Refreshed(DatabricksJobSummary.Applied, rows, committed.Version, recorded, columns);
    }

    /// <summary>
    /// TEMPORARY, until the `tables` branch lands (then the orchestration commits every run to the curated table and passes
    /// its version; delete this and the call above): commits the run's curated parts to the curated table, as the run's
    /// own commit will, and returns that version. A replay finds its commit (txn per run).
    /// </summary>
    private async Task<long> CommitRunPartsUntilTablesLandAsync(BlobDeltaStore curated, string runId)
    {
        var container = service.GetBlobContainerClient(BlobContainers.Curated);
        var root = curated.TableRoot;
        var adds = new List<DeltaAdd>();
        DeltaSchema? schema = null;
        using var work = new TempFolder();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{root}run={runId}/", CancellationToken.None))
        {
            if (!blob.Name.EndsWith(".parquet", StringComparison.Ordinal))
            {
                continue;
            }

            var local = Path.Combine(work.Path, $"part-{adds.Count:D5}.parquet");
            await container.GetBlobClient(blob.Name).DownloadToAsync(local);
            schema ??= SchemaOf(local);
            adds.Add(DeltaAdd.ForFile(blob.Name[root.Length..], blob.Properties.ContentLength ?? 0, blob.Properties.LastModified ?? DateTimeOffset.UtcNow, await DeltaFileStats.ComputeAsync(local)));
        }

        if (adds.Count == 0)
        {
            throw new InvalidOperationException($"[PATH_NOT_FOUND] no curated parts of run {runId}");
        }

        var result = await DeltaCommitter.CommitAsync(curated, $"twin-run:{runId}", current => current is null
            ? DeltaCommitPlan.CreateTable(DeltaMetadata.Create(schema!), adds)
            : new DeltaCommitPlan(adds, []));
        return result.Version;
    }

    private static DeltaSchema SchemaOf(string parquet)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var describe = connection.CreateCommand();
        describe.CommandText = $"DESCRIBE SELECT * FROM read_parquet('{parquet}')";
        using var reader = describe.ExecuteReader();
        var fields = new List<DeltaField>();
        while (reader.Read())
        {
            fields.Add(new DeltaField(reader.GetString(0), DeltaTypes.FromDuckDb(reader.GetString(1)) ?? "string"));
        }

        return new DeltaSchema([.. fields]);
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

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("tributary-dbx-twin-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
