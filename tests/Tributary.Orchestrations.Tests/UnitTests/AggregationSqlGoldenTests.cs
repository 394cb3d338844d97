using DuckDB.NET.Data;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>The taxi aggregation compiled to each dialect, compared with hand-written SQL, and run on DuckDB.</summary>
public sealed class AggregationSqlGoldenTests
{
    private static AggregationSpec Taxi => DatasetDefinitionLoader.LoadFile(Path.Combine(RepoRoot(), "datasets", "taxi.json")).Aggregation;

    [Fact]
    public void Taxi_aggregation_in_DuckDB_SQL()
    {
        Assert.Equal(
            "SELECT date_trunc('day', \"pickup_at\") AS \"pickup_day\", \"payment_type\" AS \"payment_type\", count(*) AS \"trips\", " +
            "sum(\"fare_amount\") AS \"total_fare\", avg(\"tip_amount\") AS \"avg_tip\", quantile_cont(\"trip_distance\", 0.5) AS \"median_distance\", " +
            "count(DISTINCT \"pickup_zone\") AS \"pickup_zones\" FROM curated GROUP BY 1, 2 ORDER BY 1, 2",
            AggregationSqlCompiler.Compile(Taxi, SqlDialect.DuckDb));
    }

    [Fact]
    public void Taxi_aggregation_in_Spark_SQL()
    {
        Assert.Equal(
            "SELECT date_trunc('DAY', `pickup_at`) AS `pickup_day`, `payment_type` AS `payment_type`, count(*) AS `trips`, " +
            "sum(`fare_amount`) AS `total_fare`, avg(`tip_amount`) AS `avg_tip`, percentile(`trip_distance`, 0.5) AS `median_distance`, " +
            "count(DISTINCT `pickup_zone`) AS `pickup_zones` FROM curated GROUP BY 1, 2 ORDER BY 1, 2",
            AggregationSqlCompiler.Compile(Taxi, SqlDialect.Spark));
    }

    [Fact]
    public void The_DuckDB_SQL_computes_the_expected_values_over_a_tiny_Parquet_file()
    {
        var folder = Directory.CreateTempSubdirectory("tributary-agg-").FullName;
        try
        {
            var parquet = Path.Combine(folder, "curated.parquet");
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                COPY (SELECT * FROM (VALUES
                    (TIMESTAMP '2026-10-01 08:00:00', 'card', 10.00::DECIMAL(10,2), 1.00::DECIMAL(10,2), 1.0, 'A'),
                    (TIMESTAMP '2026-10-01 09:00:00', 'card', 20.00::DECIMAL(10,2), 3.00::DECIMAL(10,2), 3.0, 'B'),
                    (TIMESTAMP '2026-10-01 23:59:59', 'card', 30.00::DECIMAL(10,2), NULL, 8.0, 'A'),
                    (TIMESTAMP '2026-10-02 00:00:00', 'cash', 5.50::DECIMAL(10,2), 0.00::DECIMAL(10,2), 2.0, 'C'))
                    t(pickup_at, payment_type, fare_amount, tip_amount, trip_distance, pickup_zone)) TO '{parquet}' (FORMAT parquet);
                CREATE VIEW curated AS SELECT * FROM read_parquet('{parquet}');
                """;
            command.ExecuteNonQuery();
            command.CommandText = AggregationSqlCompiler.Compile(Taxi, SqlDialect.DuckDb);
            using var reader = command.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
            {
                rows.Add(FormattableString.Invariant(
                    $"{reader.GetDateTime(0):yyyy-MM-dd} {reader.GetString(1)} {reader.GetInt64(2)} {reader.GetDecimal(3)} {System.Convert.ToDouble(reader.GetValue(4), System.Globalization.CultureInfo.InvariantCulture)} {System.Convert.ToDouble(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture)} {reader.GetInt64(6)}"));
            }

            Assert.Equal(["2026-10-01 card 3 60 2 3 2", "2026-10-02 cash 1 5.5 0 2 1"], rows);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Functions.sln")))
        {
            dir = Path.GetDirectoryName(dir)!;
        }

        return dir;
    }
}
