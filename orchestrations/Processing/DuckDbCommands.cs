using System.Globalization;
using DuckDB.NET.Data;

namespace Tributary.Orchestrations.Processing;

/// <summary>The two ways the core talks to an embedded DuckDB connection: run a statement, read one number.</summary>
public static class DuckDbCommands
{
    /// <summary>Runs SQL; for a COPY the result is the number of rows it wrote.</summary>
    public static int Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    public static long ScalarInt64(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
