using DuckDB.NET.Data;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using static Tributary.Orchestrations.Processing.DuckDbCommands;

namespace Tributary.Orchestrations.Api;

/// <summary>The rows of a query and which table versions they were read from.</summary>
/// <param name="AggregateVersion">The aggregate version behind the <c>aggregate</c> view; null when there is no aggregate yet.</param>
/// <param name="AggregateReflects">The curated version that aggregate reflects (older than the curated one when a refresh is pending).</param>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows, long CuratedVersion, long? AggregateVersion, long? AggregateReflects);

/// <summary>A query the user got wrong (unknown dataset or version, bad SQL): the message says what.</summary>
public sealed class DatasetQueryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// SQL over a dataset's tables with DuckDB: the view <c>curated</c> holds the active files of the curated table (at the
/// latest version, or at a given one: time travel) and <c>aggregate</c> those of the aggregate table as of that version.
/// </summary>
public sealed class DatasetQuery(DatasetTables tables, TableFileCache cache, PipelineOptions options)
{
    public Task<QueryResult> RunAsync(string dataset, string sql, long? curatedVersion = null, CancellationToken cancellationToken = default) =>
        RunAsync(tables.Curated(dataset), tables.Aggregate(dataset), cache, sql, curatedVersion, options.WorkDirectory, dataset, cancellationToken);

    public static async Task<QueryResult> RunAsync(
        IDeltaStore curated, IDeltaStore aggregate, TableFileCache cache, string sql, long? curatedVersion, string workDirectory, string dataset = "the dataset", CancellationToken cancellationToken = default)
    {
        var latest = await DeltaLog.ReadSnapshotAsync(curated, cancellationToken: cancellationToken)
            ?? throw new DatasetQueryException($"dataset '{dataset}' has no curated table: unknown dataset, or no run has committed to it yet");
        if (curatedVersion is < 0 || curatedVersion > latest.Version)
        {
            throw new DatasetQueryException($"dataset '{dataset}' has curated versions 0 to {latest.Version}, not {curatedVersion}");
        }

        var snapshot = curatedVersion is { } wanted && wanted != latest.Version
            ? await DeltaLog.ReadSnapshotAsync(curated, wanted, cancellationToken) ?? throw new DatasetQueryException($"curated version {wanted} of '{dataset}' can no longer be read (log cleaned up)")
            : latest;
        var curatedFiles = await cache.GetAllAsync(curated, snapshot.ActiveFiles.Values.Select(a => (a.StoragePath, a.Size)), cancellationToken);

        DeltaSnapshot? aggregateSnapshot;
        long? reflects;
        if (curatedVersion is null)
        {
            aggregateSnapshot = await DeltaLog.ReadSnapshotAsync(aggregate, cancellationToken: cancellationToken);
            reflects = await AggregateTableLog.ReflectedCuratedVersionAsync(aggregate, aggregateSnapshot, cancellationToken);
        }
        else
        {
            var asOf = await AggregateTableLog.AsOfCuratedVersionAsync(aggregate, snapshot.Version, cancellationToken);
            aggregateSnapshot = asOf is { } found ? await DeltaLog.ReadSnapshotAsync(aggregate, found.AggregateVersion, cancellationToken) : null;
            reflects = asOf?.CuratedVersion;
        }

        var aggregateFiles = aggregateSnapshot is null
            ? []
            : await cache.GetAllAsync(aggregate, aggregateSnapshot.ActiveFiles.Values.Select(a => (a.StoragePath, a.Size)), cancellationToken);

        Directory.CreateDirectory(workDirectory);
        using var connection = DuckDbTables.Open(workDirectory);
        Execute(connection, $"CREATE VIEW curated AS SELECT * FROM {DuckDbTables.Relation(curatedFiles, snapshot.Metadata.Schema)}");
        if (aggregateSnapshot is not null)
        {
            Execute(connection, $"CREATE VIEW aggregate AS SELECT * FROM {DuckDbTables.Relation(aggregateFiles, aggregateSnapshot.Metadata.Schema)}");
        }

        try
        {
            return Read(connection, sql) with { CuratedVersion = snapshot.Version, AggregateVersion = aggregateSnapshot?.Version, AggregateReflects = reflects };
        }
        catch (DuckDBException e)
        {
            var hint = aggregateSnapshot is null && e.Message.Contains("aggregate", StringComparison.OrdinalIgnoreCase)
                ? " (the dataset has no aggregate yet at that version)"
                : "";
            throw new DatasetQueryException($"{e.Message}{hint}", e);
        }
    }

    private static QueryResult Read(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return new QueryResult(columns, rows, -1, null, null);
    }
}
