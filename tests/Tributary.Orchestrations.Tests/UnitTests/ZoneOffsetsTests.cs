using DuckDB.NET.Data;
using Tributary.Orchestrations.Processing;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>The per-day offset lookup must give exactly what DuckDB's ICU conversion gives, DST gaps and overlaps included.</summary>
public sealed class ZoneOffsetsTests
{
    [Theory]
    [InlineData("America/New_York")]
    [InlineData("Europe/London")]
    [InlineData("Australia/Lord_Howe")] // a 30-minute DST shift
    [InlineData("America/Sao_Paulo")] // transitions at midnight (until 2019)
    [InlineData("Asia/Kolkata")]
    public void Local_times_convert_to_the_same_utc_as_icu(string zone)
    {
        // The first connection may compute the zone's offsets with ICU; the second loads them from the process's cache.
        AssertSameAsIcu(zone);
        AssertSameAsIcu(zone);
    }

    private static void AssertSameAsIcu(string zone)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var toUtc = new ZoneOffsets(connection).ToUtc("t", zone);
        var icu = $"timezone('UTC', timezone('{zone}', t))";

        // Every 7 minutes through years with transitions (inside the looked-up range and at its edges), plus a
        // sparse sweep far outside it, plus NULL.
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            WITH times AS (
                SELECT unnest(generate_series(TIMESTAMP '2018-01-01', TIMESTAMP '2019-12-31', INTERVAL 7 MINUTE)) AS t
                UNION ALL SELECT unnest(generate_series(TIMESTAMP '2026-01-01', TIMESTAMP '2026-12-31', INTERVAL 7 MINUTE))
                UNION ALL SELECT unnest(generate_series(TIMESTAMP '1989-12-30', TIMESTAMP '1990-01-02', INTERVAL 1 SECOND * 997))
                UNION ALL SELECT unnest(generate_series(TIMESTAMP '2060-12-30', TIMESTAMP '2061-01-02', INTERVAL 1 SECOND * 997))
                UNION ALL SELECT unnest(generate_series(TIMESTAMP '1850-01-01', TIMESTAMP '2150-01-01', INTERVAL 1 HOUR * 613))
                UNION ALL SELECT NULL)
            SELECT count(*), count(*) FILTER (WHERE {toUtc} IS DISTINCT FROM {icu}) FROM times
            """;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.True(reader.GetInt64(0) > 200_000);
        Assert.Equal(0, reader.GetInt64(1));
    }
}
