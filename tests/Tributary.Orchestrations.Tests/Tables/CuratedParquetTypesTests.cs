using System.Text;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;

namespace Tributary.Orchestrations.Tests.Tables;

/// <summary>
/// Curated parts are data files of a Delta table read by Spark under protocol 1/2: a timestamp must be INT64 micros with
/// isAdjustedToUTC=true (plain TIMESTAMP would read as timestamp_ntz), decimals keep their precision, dates are DATE.
/// Checked with DuckDB's parquet_schema() on every write path: CSV fast path, CSV validated text, JSON lines, Parquet.
/// </summary>
public sealed class CuratedParquetTypesTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-curated-types-").FullName;

    private static readonly DatasetDefinition Dataset = new()
    {
        Name = "types",
        Input = new InputSpec { Format = "csv" },
        Schema = new SchemaSpec
        {
            Columns =
            [
                new ColumnSpec { Name = "id", Type = "long", Required = true },
                new ColumnSpec { Name = "at", Type = "timestamp", Format = "%Y-%m-%d %H:%M:%S", TimeZone = "America/New_York" },
                new ColumnSpec { Name = "plain_at", Type = "timestamp" },
                new ColumnSpec { Name = "day", Type = "date" },
                new ColumnSpec { Name = "fare", Type = "decimal(10,2)" },
                new ColumnSpec { Name = "n", Type = "int" },
                new ColumnSpec { Name = "ok", Type = "bool" },
            ],
        },
        Aggregation = new AggregationSpec { GroupBy = [], Measures = [new MeasureSpec { Name = "n", Function = "count" }] },
    };

    [Theory]
    [InlineData("csv", true)]
    [InlineData("csv", false)]
    [InlineData("jsonl", false)]
    [InlineData("parquet", false)]
    public void Every_write_path_stores_spark_types_and_utc_instants(string format, bool fastPath)
    {
        var input = Path.Combine(work, $"in-{fastPath}.{format}");
        WriteInput(input, format);
        var curated = Path.Combine(work, $"curated-{format}-{fastPath}.parquet");

        var outcome = new DuckDbChunkProcessor(fastPath).Process(new LocalChunk(input, DataFormats.Parse(format)!.Value, "in." + format), Dataset, curated, Path.Combine(work, "rejected.jsonl"), work);

        Assert.Equal(new ChunkOutcome(1, 1, 0), outcome);
        var schema = Schema(curated);
        Assert.Equal(("INT64", "TIMESTAMP", "true", "MICROS"), (schema["at"].Physical, schema["at"].Logical, schema["at"].Utc, schema["at"].Unit));
        Assert.Equal(("INT64", "TIMESTAMP", "true", "MICROS"), (schema["plain_at"].Physical, schema["plain_at"].Logical, schema["plain_at"].Utc, schema["plain_at"].Unit));
        Assert.Equal(("INT32", "DATE"), (schema["day"].Physical, schema["day"].Logical));
        Assert.Equal(("INT64", "DECIMAL", "10", "2"), (schema["fare"].Physical, schema["fare"].Logical, schema["fare"].Precision, schema["fare"].Scale));
        Assert.Equal("INT32", schema["n"].Physical);
        Assert.Equal("BOOLEAN", schema["ok"].Physical);

        // The instant itself (a typed Parquet timestamp is already UTC): 12:00 in New York (EDT) is 16:00 UTC; a plain timestamp is taken as UTC, unshifted.
        Assert.Equal(new DateTime(2024, 6, 1, 16, 0, 0), Micros(curated, "at"));
        Assert.Equal(new DateTime(2024, 6, 1, 12, 0, 0), Micros(curated, "plain_at"));
    }

    private static void WriteInput(string path, string format)
    {
        switch (format)
        {
            case "csv":
                File.WriteAllText(path, "id,at,plain_at,day,fare,n,ok\n1,2024-06-01 12:00:00,2024-06-01 12:00:00,2024-06-01,12.50,3,true\n", new UTF8Encoding(false));
                break;
            case "jsonl":
                File.WriteAllText(path, "{\"id\":1,\"at\":\"2024-06-01 12:00:00\",\"plain_at\":\"2024-06-01 12:00:00\",\"day\":\"2024-06-01\",\"fare\":\"12.50\",\"n\":3,\"ok\":true}\n");
                break;
            default:
                using (var connection = new DuckDBConnection("DataSource=:memory:"))
                {
                    connection.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = $"COPY (SELECT 1::BIGINT AS id, TIMESTAMP '2024-06-01 16:00:00' AS at, TIMESTAMP '2024-06-01 12:00:00' AS plain_at, DATE '2024-06-01' AS day, 12.50::DECIMAL(10,2) AS fare, 3 AS n, true AS ok) TO '{path}' (FORMAT parquet)";
                    command.ExecuteNonQuery();
                }

                break;
        }
    }

    private static Dictionary<string, (string Physical, string? Logical, string? Utc, string? Unit, string? Precision, string? Scale)> Schema(string parquet)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT name, type, coalesce(CAST(logical_type AS VARCHAR), CAST(converted_type AS VARCHAR)), CAST(precision AS VARCHAR), CAST(scale AS VARCHAR)
            FROM parquet_schema('{parquet}') WHERE type IS NOT NULL
            """;
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, (string, string?, string?, string?, string?, string?)>();
        while (reader.Read())
        {
            var logical = reader.IsDBNull(2) ? null : reader.GetString(2);
            string? Part(string key) => logical is null ? null
                : System.Text.RegularExpressions.Regex.Match(logical, key + @"\W+([A-Za-z0-9]+)") is { Success: true } m ? m.Groups[1].Value : null;
            var kind = logical is null ? null : System.Text.RegularExpressions.Regex.Match(logical, @"^\W*(\w+)").Groups[1].Value.ToUpperInvariant().Replace("TYPE", string.Empty, StringComparison.Ordinal);
            var unit = logical is null ? null : logical.Contains("MICROS", StringComparison.OrdinalIgnoreCase) ? "MICROS" : null;
            result[reader.GetString(0)] = (reader.GetString(1), kind, Part("isAdjustedToUTC") is { } utc ? (utc is "1" or "true" ? "true" : "false") : null, unit,
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4));
        }

        return result;
    }

    /// <summary>The stored micros as a UTC wall clock, read without any time zone conversion.</summary>
    private static DateTime Micros(string parquet, string column)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT epoch_us(\"{column}\") FROM read_parquet('{parquet}')";
        return DateTime.UnixEpoch.AddTicks(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) * 10);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
