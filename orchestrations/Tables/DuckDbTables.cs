using DuckDB.NET.Data;
using Tributary.Orchestrations.Tables.Delta;
using static Tributary.Orchestrations.Processing.DuckDbCommands;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Tables;

/// <summary>DuckDB over a Delta table's data files: one connection setting and one relation shape for refreshes and queries.</summary>
public static class DuckDbTables
{
    /// <summary>
    /// An in-memory connection in UTC: date_trunc of a TIMESTAMPTZ truncates in the session time zone, and the
    /// aggregate's group keys must not depend on the machine's.
    /// </summary>
    public static DuckDBConnection Open(string? workDirectory = null, string? memoryLimit = null)
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, "SET TimeZone = 'UTC'");
        if (memoryLimit is not null)
        {
            Execute(connection, $"SET memory_limit = {Literal(memoryLimit)}");
        }

        if (workDirectory is not null)
        {
            Execute(connection, $"SET temp_directory = {Literal(workDirectory)}");
        }

        return connection;
    }

    /// <summary>
    /// A relation over local copies of the table's files; with no files, an empty relation with the table's schema, so
    /// the same SQL runs over an empty table (read_parquet refuses an empty list).
    /// </summary>
    public static string Relation(IReadOnlyList<string> localFiles, DeltaSchema schema) => localFiles.Count > 0
        ? $"read_parquet({List(localFiles)}, union_by_name = true)"
        : $"(SELECT {string.Join(", ", schema.Fields.Select(f => $"CAST(NULL AS {DuckDbType(f.Type)}) AS {Identifier(f.Name)}"))} WHERE false)";

    /// <summary>The DuckDB type we read a Delta column as (timestamps are UTC instants).</summary>
    public static string DuckDbType(string deltaType) => deltaType switch
    {
        DeltaTypes.String => "VARCHAR",
        DeltaTypes.Integer => "INTEGER",
        DeltaTypes.Long => "BIGINT",
        DeltaTypes.Double => "DOUBLE",
        "float" => "FLOAT",
        "short" => "SMALLINT",
        "byte" => "TINYINT",
        DeltaTypes.Boolean => "BOOLEAN",
        DeltaTypes.Date => "DATE",
        DeltaTypes.Timestamp => "TIMESTAMPTZ",
        _ when DeltaTypes.IsDecimal(deltaType) => deltaType.ToUpperInvariant(),
        _ => "VARCHAR",
    };
}
