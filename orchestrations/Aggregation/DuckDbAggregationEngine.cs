using DuckDB.NET.Data;
using Tributary.Orchestrations.Processing;
using static Tributary.Orchestrations.Processing.DuckDbCommands;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>Runs a compiled aggregation over local curated Parquet parts with embedded DuckDB.</summary>
public static class DuckDbAggregationEngine
{
    public const int PreviewRows = 20;

    /// <summary>Writes the result to <paramref name="resultPath"/> as Parquet and returns its row count and a JSON preview.</summary>
    public static (long Rows, string PreviewJson) Run(AggregationSpec spec, IReadOnlyList<string> curatedParts, string resultPath, string workDirectory, string memoryLimit)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, $"SET memory_limit = {Literal(memoryLimit)}; SET temp_directory = {Literal(workDirectory)};");
        Execute(connection, $"CREATE VIEW {AggregationSqlCompiler.SourceRelation} AS SELECT * FROM read_parquet({List(curatedParts)})");

        var sql = AggregationSqlCompiler.Compile(spec, SqlDialect.DuckDb);
        Execute(connection, $"CREATE TEMP TABLE result AS {sql}");
        Execute(connection, $"COPY result TO {Literal(resultPath)} (FORMAT parquet)");

        var rows = ScalarInt64(connection, "SELECT count(*) FROM result");

        return (rows, PreviewOf(connection, "result"));
    }

    /// <summary>The first <see cref="PreviewRows"/> rows of local Parquet files (an engine's result parts) as a JSON array.</summary>
    public static string Preview(IReadOnlyList<string> parquetFiles)
    {
        if (parquetFiles.Count == 0)
        {
            return "[]";
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, $"CREATE VIEW result AS SELECT * FROM read_parquet({List(parquetFiles)})");
        return PreviewOf(connection, "result");
    }

    private static string PreviewOf(DuckDBConnection connection, string relation)
    {
        using var preview = connection.CreateCommand();
        preview.CommandText = $"SELECT coalesce(CAST(to_json(list(r)) AS VARCHAR), '[]') FROM (SELECT * FROM {relation} LIMIT {PreviewRows}) r";
        return (string)preview.ExecuteScalar()!;
    }

}
