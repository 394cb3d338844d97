using System.Text.Json;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tests.Tables.Delta;

/// <summary>Per-file statistics as the protocol's "Per-file Statistics" describe them, computed by DuckDB.</summary>
public sealed class DeltaFileStatsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tributary-delta-stats-").FullName;

    [Fact]
    public void The_stats_string_has_the_protocols_shape_and_millisecond_utc_timestamps()
    {
        var stats = new DeltaFileStats(
            3,
            new Dictionary<string, object> { ["id"] = 1L, ["pickup"] = new DateTimeOffset(2026, 1, 2, 4, 4, 5, 123, TimeSpan.FromHours(1)).AddTicks(4567), ["day"] = new DateOnly(2026, 1, 2), ["fare"] = 1.50m, ["name"] = "a" },
            new Dictionary<string, object> { ["id"] = 9L },
            new Dictionary<string, long> { ["id"] = 0, ["name"] = 1 });
        var json = JsonDocument.Parse(stats.ToJson()).RootElement;
        Assert.Equal(3, json.GetProperty("numRecords").GetInt64());
        Assert.Equal("2026-01-02T03:04:05.123Z", json.GetProperty("minValues").GetProperty("pickup").GetString());
        Assert.Equal("2026-01-02", json.GetProperty("minValues").GetProperty("day").GetString());
        Assert.Equal(1.50m, json.GetProperty("minValues").GetProperty("fare").GetDecimal());
        Assert.Equal(JsonValueKind.Number, json.GetProperty("minValues").GetProperty("fare").ValueKind);
        Assert.Equal(1, json.GetProperty("nullCount").GetProperty("name").GetInt64());
        Assert.Equal(3, DeltaFileStats.TryReadNumRecords(stats.ToJson()));
    }

    [Fact]
    public async Task ComputeAsync_reads_counts_bounds_and_nulls_from_a_parquet_file()
    {
        var path = Path.Combine(folder, "part.parquet");
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $$"""
                SET TimeZone = 'UTC';
                COPY (SELECT * FROM (VALUES
                  (1::BIGINT, 'b', TIMESTAMPTZ '2026-01-02 03:04:05.123456+00', TIMESTAMP '2026-01-01 00:00:00', DATE '2026-01-02', 12.50::DECIMAL(10,2), 1.5::DOUBLE, true, {'x': 1}, repeat('z', 40)),
                  (7::BIGINT, NULL, TIMESTAMPTZ '2026-01-03 00:00:00+00', NULL, DATE '2025-12-31', -3.25::DECIMAL(10,2), 'NaN'::DOUBLE, NULL, NULL, 'a'),
                  (NULL, 'a', NULL, TIMESTAMP '2026-02-01 10:00:00.5', NULL, NULL, -2::DOUBLE, false, {'x': 2}, NULL)
                ) t(id, name, pickup, local_time, day, fare, ratio, flag, nested, long_text))
                TO '{{path}}' (FORMAT parquet)
                """;
            command.ExecuteNonQuery();
        }

        var stats = await DeltaFileStats.ComputeAsync(path);
        Assert.Equal(3, stats.NumRecords);
        Assert.Equal(1L, stats.MinValues["id"]);
        Assert.Equal(7L, stats.MaxValues["id"]);
        Assert.Equal("a", stats.MinValues["name"]);
        Assert.Equal("b", stats.MaxValues["name"]);
        Assert.Equal(-3.25m, stats.MinValues["fare"]);
        Assert.Equal(12.50m, stats.MaxValues["fare"]);
        Assert.Equal(-2.0, stats.MinValues["ratio"]);
        Assert.Equal(1.5, stats.MaxValues["ratio"]);
        Assert.Equal(new DateOnly(2025, 12, 31), stats.MinValues["day"]);
        Assert.False(stats.MinValues.ContainsKey("flag"));
        Assert.False(stats.NullCount.ContainsKey("nested"));
        Assert.Equal(new Dictionary<string, long> { ["id"] = 1, ["name"] = 1, ["pickup"] = 1, ["local_time"] = 1, ["day"] = 1, ["fare"] = 1, ["ratio"] = 0, ["flag"] = 1, ["long_text"] = 1 }, stats.NullCount);

        var json = JsonDocument.Parse(stats.ToJson()).RootElement;
        Assert.Equal("2026-01-02T03:04:05.123Z", json.GetProperty("minValues").GetProperty("pickup").GetString());
        Assert.Equal("2026-01-03T00:00:00.000Z", json.GetProperty("maxValues").GetProperty("pickup").GetString());
        Assert.Equal("2026-02-01T10:00:00.500Z", json.GetProperty("maxValues").GetProperty("local_time").GetString());
        Assert.Equal(12.50m, json.GetProperty("maxValues").GetProperty("fare").GetDecimal());

        // Long strings keep a 32-character prefix; the max stays an upper bound.
        Assert.Equal("a", stats.MinValues["long_text"]);
        var max = (string)stats.MaxValues["long_text"];
        Assert.StartsWith(new string('z', 32), max, StringComparison.Ordinal);
        Assert.True(string.CompareOrdinal(max, new string('z', 40)) > 0);
    }

    [Fact]
    public async Task ComputeManyAsync_gives_each_file_the_stats_it_has_alone_in_the_order_asked()
    {
        // Parts of one schema, one without rows, and a data column named "filename" (the reader's own column is named apart).
        var paths = new List<string>();
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            foreach (var (name, rows) in new[] { ("b", "(3, 'x', 2.5::DECIMAL(10,2)), (9, NULL, NULL)"), ("empty", "(1, 'a', 1.0::DECIMAL(10,2))"), ("a", "(-4, 'q', 7.25::DECIMAL(10,2))") })
            {
                var path = Path.Combine(folder, $"{name}.parquet");
                using var command = connection.CreateCommand();
                command.CommandText = $"COPY (SELECT * FROM (VALUES {rows}) t(id, filename, fare) WHERE {(name == "empty" ? "false" : "true")}) TO '{path}' (FORMAT parquet)";
                command.ExecuteNonQuery();
                paths.Add(path);
            }
        }

        using var reader = new DuckDBConnection("DataSource=:memory:");
        reader.Open();
        var many = await DeltaFileStats.ComputeManyAsync(paths, reader);

        Assert.Equal(paths.Count, many.Count);
        for (var i = 0; i < paths.Count; i++)
        {
            Assert.Equal((await DeltaFileStats.ComputeAsync(paths[i])).ToJson(), many[i].ToJson());
        }

        Assert.Equal(2, many[0].NumRecords);
        Assert.Equal(0, many[1].NumRecords);
        Assert.Equal(0, many[1].NullCount["filename"]);
        Assert.Equal("q", many[2].MinValues["filename"]);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
