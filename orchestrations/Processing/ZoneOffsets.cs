using System.Collections.Concurrent;
using DuckDB.NET.Data;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Converts local wall-clock timestamps of a time zone to UTC with the same result as DuckDB's ICU
/// <c>timezone('UTC', timezone(zone, ts))</c>, at a fraction of its per-row cost: ICU computes, once per
/// connection, the zone's offset for every local day of a range; a day whose offset is the same at its start,
/// its noon and its end has no transition, so its rows just add that offset. Rows on transition days (DST
/// gaps and overlaps) and outside the range still go through ICU, so its rules for them stay in force.
/// ICU's offsets are computed once per zone per process; later connections (one per chunk) load them with an appender.
/// </summary>
public sealed class ZoneOffsets(DuckDBConnection connection)
{
    /// <summary>The days covered: ICU computes two offsets per day per connection, so the range costs a few ms.</summary>
    private const string FirstDay = "1990-01-01";
    private const string LastDay = "2060-12-31";
    /// <summary>Days from 1970-01-01 to the first day covered; day <c>FirstDayNumber + i</c> has offset <c>i</c>.</summary>
    public const int FirstDayNumber = 7305;

    /// <summary>Each zone's offsets (µs, NULL for transition days), by day from <see cref="FirstDay"/>: ICU's answer does not change within a process.</summary>
    private static readonly ConcurrentDictionary<string, long?[]> Computed = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string> tables = new(StringComparer.Ordinal);

    /// <summary>The UTC timestamp of the local timestamp <paramref name="local"/> (a column reference) in <paramref name="zone"/>.</summary>
    public string ToUtc(string local, string zone)
    {
        if (!tables.TryGetValue(zone, out var table))
        {
            table = Identifier($"__zone_offsets_{tables.Count}");
            Create(table, zone);
            tables[zone] = table;
        }

        var icu = IcuToUtc(local, zone);
        var day = $"greatest(epoch_us({local}) // 86400000000 - {FirstDayNumber} + 1, 0)";
        return $"coalesce(make_timestamp(epoch_us({local}) + list_extract((SELECT offsets FROM {table}), {day})), {icu})";
    }

    /// <summary>
    /// The zone's offset (µs to add to local time) for each local day from <see cref="FirstDayNumber"/>, NULL for a
    /// transition day: the same numbers <see cref="ToUtc"/> applies, for code that converts outside DuckDB.
    /// </summary>
    public long?[] OffsetsOf(string zone)
    {
        if (!Computed.TryGetValue(zone, out var offsets))
        {
            _ = ToUtc("NULL", zone);
            offsets = Computed[zone];
        }

        return offsets;
    }

    /// <summary>ICU's conversion itself, per row: what <see cref="ToUtc"/> equals, cheaper when there are only a few rows to convert.</summary>
    public static string IcuToUtc(string local, string zone) => $"timezone('UTC', timezone({Literal(zone)}, {local}))";

    private void Create(string table, string zone)
    {
        if (Computed.TryGetValue(zone, out var offsets))
        {
            Load(table, offsets);
            return;
        }

        Compute(table, zone);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT offsets FROM {table}";
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw new InvalidOperationException($"no offsets were computed for {zone}");
        }

        Computed.TryAdd(zone, [.. reader.GetFieldValue<List<long?>>(0)]);
    }

    /// <summary>The same one-row table <see cref="Compute"/> builds, from offsets computed earlier.</summary>
    private void Load(string table, long?[] offsets)
    {
        var days = Identifier($"__zone_days_{tables.Count}");
        DuckDbCommands.Execute(connection, $"CREATE TABLE {days} (day INTEGER, offset_us BIGINT)");
        using (var appender = connection.CreateAppender(days.Trim('"')))
        {
            for (var day = 0; day < offsets.Length; day++)
            {
                var row = appender.CreateRow().AppendValue(day);
                (offsets[day] is { } offset ? row.AppendValue(offset) : row.AppendNullValue()).EndRow();
            }
        }

        DuckDbCommands.Execute(connection, $"CREATE TEMP TABLE {table} AS SELECT list(offset_us ORDER BY day) AS offsets FROM {days}; DROP TABLE {days}");
    }

    private void Compute(string table, string zone)
    {
        string Shift(string at) => $"epoch_us(timezone('UTC', timezone({Literal(zone)}, {at}))) - epoch_us({at})";
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TEMP TABLE {table} AS
            SELECT list(CASE WHEN s0 = s1 AND s0 = s2 THEN s0 END ORDER BY d) AS offsets
            FROM (SELECT d, s0, s1, lead(s0) OVER (ORDER BY d) AS s2
                  FROM (SELECT d, {Shift("d")} AS s0, {Shift("d + INTERVAL 12 HOUR")} AS s1
                        FROM (SELECT unnest(generate_series(TIMESTAMP '{FirstDay}', TIMESTAMP '{LastDay}' + INTERVAL 1 DAY, INTERVAL 1 DAY)) AS d)))
            WHERE d <= TIMESTAMP '{LastDay}'
            """;
        command.ExecuteNonQuery();
    }
}
