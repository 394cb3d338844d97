using System.Text.Json;
using Azure.Storage.Blobs;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Tests.Databricks;

namespace Tributary.Cli.Tests.Fixtures;

/// <summary>
/// What databricks/src/aggregate.py does, done locally for the Jobs API simulation: read the run's curated Parquet
/// from <c>curated_path</c>, run the DuckDB twin of the compiled Spark SQL as view <c>curated</c>, write the result as
/// Spark would (a folder of part files plus <c>_SUCCESS</c>) to <c>results_path</c>, and the job summary to
/// <c>summary_path</c>. abfss://{container}@{account}.dfs.core.windows.net/{path} maps to the Azurite container.
/// </summary>
public sealed class DuckDbTwinJob(string connectionString, Func<string, AggregationSpec> specOf)
{
    private readonly BlobServiceClient service = new(connectionString);

    /// <summary>The aggregation_sql each run was started with, by Tributary run id.</summary>
    public Dictionary<string, string> SparkSql { get; } = [];

    public async Task RunAsync(DatabricksJobsSimulator.SimRun run)
    {
        var p = run.Parameters;
        lock (SparkSql)
        {
            SparkSql[p["run_id"]] = p["aggregation_sql"];
        }

        using var work = new TempFolder();
        var (curatedContainer, curatedPrefix) = Parse(p["curated_path"]);
        var parts = new List<string>();
        var curated = service.GetBlobContainerClient(curatedContainer);
        await foreach (var blob in curated.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, curatedPrefix, CancellationToken.None))
        {
            if (blob.Name.EndsWith(".parquet", StringComparison.Ordinal))
            {
                var local = Path.Combine(work.Path, $"in-{parts.Count:D5}.parquet");
                await curated.GetBlobClient(blob.Name).DownloadToAsync(local);
                parts.Add(local);
            }
        }

        if (parts.Count == 0)
        {
            throw new InvalidOperationException($"[PATH_NOT_FOUND] Path does not exist: {p["curated_path"]}");
        }

        var twin = AggregationSqlCompiler.Compile(specOf(p["dataset"]), SqlDialect.DuckDb);
        var result = Path.Combine(work.Path, "part-00000.parquet");
        long rows;
        var columns = new List<Dictionary<string, string>>();
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            Execute(connection, $"CREATE VIEW {AggregationSqlCompiler.SourceRelation} AS SELECT * FROM read_parquet([{string.Join(", ", parts.Select(f => $"'{f}'"))}])");
            Execute(connection, $"COPY ({twin}) TO '{result}' (FORMAT parquet)");
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM read_parquet('{result}')";
            rows = Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            using var describe = connection.CreateCommand();
            describe.CommandText = $"DESCRIBE SELECT * FROM read_parquet('{result}')";
            using var reader = describe.ExecuteReader();
            while (reader.Read())
            {
                columns.Add(new() { ["name"] = reader.GetString(0), ["type"] = reader.GetString(1) });
            }
        }

        var (resultsContainer, resultsFolder) = Parse(p["results_path"]);
        var results = service.GetBlobContainerClient(resultsContainer);
        var folder = resultsFolder.EndsWith('/') ? resultsFolder : resultsFolder + "/";
        await results.GetBlobClient($"{folder}part-00000-{run.RunId}-c000.snappy.parquet").UploadAsync(result, overwrite: true);
        await results.GetBlobClient($"{folder}_SUCCESS").UploadAsync(BinaryData.Empty, overwrite: true);

        var (summaryContainer, summaryName) = Parse(p["summary_path"]);
        var summary = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["dataset"] = p["dataset"],
            ["run_id"] = p["run_id"],
            ["rows"] = rows,
            ["columns"] = columns,
            ["result_path"] = p["results_path"],
            ["spark_version"] = "duckdb-twin",
        });
        await service.GetBlobContainerClient(summaryContainer).GetBlobClient(summaryName).UploadAsync(BinaryData.FromString(summary), overwrite: true);
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
