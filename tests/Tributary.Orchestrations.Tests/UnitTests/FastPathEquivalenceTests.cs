using System.Text;
using DuckDB.NET.Data;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>
/// The CSV fast path may only ever take records that DuckDB's text validation would curate, with the same values.
/// For random files mixing plain values with every spelling the fast path must leave to DuckDB (signs, spaces,
/// exponents, quotes, null strings, DST gaps and overlaps, out-of-range days, non-ASCII, CRLF), the chunk is
/// processed with and without the fast path: the outcomes, the curated rows and the rejects must be identical.
/// </summary>
public sealed class FastPathEquivalenceTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-fastpath-").FullName;

    internal static readonly DatasetDefinition Dataset = new()
    {
        Name = "mixed",
        Input = new InputSpec { Format = "csv", Csv = new CsvOptions { NullStrings = ["", "NULL"] } },
        Schema = new SchemaSpec
        {
            Columns =
            [
                new ColumnSpec { Name = "id", Type = "long", Required = true, Min = 1 },
                new ColumnSpec { Name = "at", Type = "timestamp", Required = true, Format = "%Y-%m-%d %H:%M:%S", TimeZone = "America/New_York" },
                new ColumnSpec { Name = "day", Type = "date", Format = "%d/%m/%Y" },
                new ColumnSpec { Name = "plain_at", Type = "timestamp" },
                new ColumnSpec { Name = "zone", Type = "string", Required = true, Pattern = "^[A-Z][A-Za-z .'-]+$" },
                new ColumnSpec { Name = "count", Type = "int", Min = 0, Max = 9 },
                new ColumnSpec { Name = "distance", Type = "double", Min = 0, Max = 500.5 },
                new ColumnSpec { Name = "fare", Type = "decimal(10,2)", Required = true, Min = 0.5, Max = 10000 },
                new ColumnSpec { Name = "paid", Type = "bool" },
                new ColumnSpec { Name = "kind", Type = "string", Allowed = ["card", "cash"] },
                new ColumnSpec { Name = "missing_optional", Type = "decimal(5,1)" },
            ],
        },
        Aggregation = new AggregationSpec { GroupBy = [], Measures = [new MeasureSpec { Name = "n", Function = "count" }] },
    };

    /// <summary>The file's columns: the schema's but one, in another order, plus one the schema does not know.</summary>
    internal static readonly string[] FileColumns = ["at", "id", "zone", "day", "plain_at", "count", "distance", "fare", "paid", "kind", "extra"];

    private static readonly Dictionary<string, string[]> Values = new()
    {
        ["id"] = ["1", "42", "007", "9223372036854775807", "123456789012345678", "0", "-5", "+5", " 5", "5 ", "1e3", "0x10", "1_000", "4.0", "", "NULL", "\"7\"", "\"NULL\"", "abc"],
        ["at"] = ["2024-06-01 12:00:00", "2024-01-15 23:59:59", "2024-03-10 02:30:00", "2024-11-03 01:30:00", "2024-03-10 01:59:59", "2024-11-03 00:00:00",
                  "1989-12-31 23:00:00", "2061-01-01 00:00:00", "2024-02-30 10:00:00", "2024-02-29 10:00:00", "2023-02-29 10:00:00", "2024-06-01 24:00:00",
                  "2024-6-1 12:00:00", " 2024-06-01 12:00:00", "2024-06-01T12:00:00", "2024-06-01 12:00:00.5", "", "\"2024-06-01 12:00:00\"", "x"],
        ["day"] = ["01/06/2024", "31/12/1999", "29/02/2023", "1/6/2024", "2024-06-01", "", "NULL", " 01/06/2024"],
        ["plain_at"] = ["2024-06-01 12:00:00", "2024-06-01T12:00:00", "2024-06-01", "2024-06-01 12:00", "2024-06-01 12:00:00+02", "", "0001-01-01 00:00:00"],
        ["zone"] = ["Astoria", "JFK Airport", "Upper East Side North", "O'Hare", "astoria", "A", "Zone 9", "Bad\tZone", "Café", "\"Quoted, Zone\"", "\"Say \"\"Hi\"\"\"", "Trailing ", "", "NULL"],
        ["count"] = ["0", "9", "10", "-1", "3", "03", "2147483648", "999999999", " 1", "1.0", ""],
        ["distance"] = ["0", "0.0", "500.5", "500.50000000000001", "500.6", "-0", "-0.0", "1.5", "1e2", "inf", "NaN", ".5", "5.", "12345678901234567890.5", " 1", "3.14159265358979323846", ""],
        ["fare"] = ["0.50", "0.5", "0.49", "10000", "10000.00", "10000.01", "12.345", "-1.00", "00000012.50", "123456789.00", "1e1", " 5.00", "5.00 ", "+5.00", "", "NULL", "\"7.25\""],
        ["paid"] = ["true", "false", "TRUE", "True", "1", "t", "yes", " true", ""],
        ["kind"] = ["card", "cash", "Card", "card ", "dispute", "", "\"cash\"", "NULL"],
        ["extra"] = ["x", "", "\"a,b\"", "é", "\"multi\nline\""],
    };

    private static Gen<string> FieldGen(string column) =>
        Gen.Frequency((8, Gen.Elements(Values[column][0], Values[column][1])), (2, Gen.Elements(Values[column])));

    internal static Gen<string> RecordGen => FileColumns.Aggregate(
        Gen.Constant(string.Empty),
        (record, column) => record.SelectMany(before => FieldGen(column).Select(value => column == FileColumns[0] ? value : before + "," + value)));

    internal static Gen<string> FileGen =>
        from rows in Gen.Choose(1, 40)
        from records in RecordGen.ArrayOf(rows)
        from crlf in Gen.Elements(false, true)
        from bom in Gen.Elements(false, true)
        select (bom ? "\uFEFF" : string.Empty) + string.Join(crlf ? "\r\n" : "\n", [string.Join(',', FileColumns), .. records]) + (crlf ? "\r\n" : "\n");

    [Property(MaxTest = 150)]
    public Property Fast_path_curates_and_rejects_exactly_what_duckdb_validation_does() => Prop.ForAll(FileGen.ToArbitrary(), csv =>
    {
        var fast = Process(csv, fastPath: true);
        var slow = Process(csv, fastPath: false);
        return (fast.Outcome == slow.Outcome).Label($"outcomes {fast.Outcome} vs {slow.Outcome}")
            .And(fast.Rejected.SequenceEqual(slow.Rejected).Label("rejected rows differ"))
            .And((CuratedDifference(fast.Curated, slow.Curated) == 0).Label("curated rows differ"))
            .And(fast.Schema.SequenceEqual(slow.Schema).Label($"curated schema [{string.Join(", ", fast.Schema)}] vs [{string.Join(", ", slow.Schema)}]"))
            .Classify(fast.FastRecords > 0, "fast path used");
    });

    [Fact]
    public void Plain_valid_records_all_take_the_fast_path_and_land_in_utc()
    {
        var csv = "at,id,zone,day,plain_at,count,distance,fare,paid,kind,extra\n" +
                  "2024-06-01 12:00:00,1,Astoria,01/06/2024,2024-06-01 12:00:00,3,1.5,12.50,true,card,x\n" +
                  "2024-01-15 23:30:00,2,\"JFK Airport\",,,,,0.50,,,\n";

        var result = Process(csv, fastPath: true);

        Assert.Equal(new ChunkOutcome(2, 2, 0), result.Outcome);
        Assert.Equal(2, result.FastRecords);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""SET TimeZone = 'UTC'; SELECT CAST(CAST("at" AS TIMESTAMP) AS VARCHAR), "zone", CAST("day" AS VARCHAR), CAST(fare AS VARCHAR) FROM read_parquet('{result.Curated}') ORDER BY id""";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(("2024-06-01 16:00:00", "Astoria", "2024-06-01", "12.50"), (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        Assert.True(reader.Read());
        Assert.Equal(("2024-01-16 04:30:00", "JFK Airport"), (reader.GetString(0), reader.GetString(1)));
    }

    private sealed record Result(ChunkOutcome Outcome, string Curated, string[] Rejected, string[] Schema, long FastRecords);

    private Result Process(string csv, bool fastPath)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, Guid.NewGuid().ToString("N"))).FullName;
        var input = Path.Combine(folder, "in.csv");
        File.WriteAllText(input, csv, new UTF8Encoding(false));
        var curated = Path.Combine(folder, "curated.parquet");
        var rejected = Path.Combine(folder, "rejected.jsonl");
        var outcome = new DuckDbChunkProcessor(fastPath).Process(new LocalChunk(input, DataFormat.Csv, "in.csv"), Dataset, curated, rejected, folder);
        var fastFile = Path.Combine(folder, "fast.csv");
        var fastRecords = File.Exists(fastFile) ? File.ReadAllLines(fastFile).Length : 0;
        return new Result(outcome, curated, File.Exists(rejected) ? File.ReadAllLines(rejected) : [], File.Exists(curated) ? Describe(curated) : [], fastRecords);
    }

    /// <summary>Rows in one file and not the other, counted with multiplicity both ways (row order within a chunk is not part of the contract).</summary>
    internal static long CuratedDifference(string a, string b)
    {
        if (!File.Exists(a) || !File.Exists(b))
        {
            return File.Exists(a) == File.Exists(b) ? 0 : 1;
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet('{a}') EXCEPT ALL SELECT * FROM read_parquet('{b}')))
                 + (SELECT count(*) FROM (SELECT * FROM read_parquet('{b}') EXCEPT ALL SELECT * FROM read_parquet('{a}')))
            """;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static string[] Describe(string parquet)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"DESCRIBE SELECT * FROM read_parquet('{parquet}')";
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read())
        {
            columns.Add($"{reader.GetString(0)} {reader.GetString(1)}");
        }

        return [.. columns];
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
