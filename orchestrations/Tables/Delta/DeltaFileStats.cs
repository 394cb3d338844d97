using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// Per-file statistics of an add action (the protocol's "Per-file Statistics"), carried in the log as a JSON string.
/// Min/max values are long, double, decimal, string, <see cref="DateOnly"/> or <see cref="DateTimeOffset"/>
/// (written as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>, truncated to milliseconds as the protocol says).
/// </summary>
public sealed record DeltaFileStats(
    long NumRecords,
    IReadOnlyDictionary<string, object> MinValues,
    IReadOnlyDictionary<string, object> MaxValues,
    IReadOnlyDictionary<string, long> NullCount)
{
    /// <summary>Spark's default prefix for string statistics (delta.dataSkippingStringPrefixLength).</summary>
    public const int DefaultStringPrefixLength = 32;

    public static DeltaFileStats RecordsOnly(long numRecords) =>
        new(numRecords, new Dictionary<string, object>(), new Dictionary<string, object>(), new Dictionary<string, long>());

    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = DeltaJson.Options.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("numRecords", NumRecords);
            WriteValues(writer, "minValues", MinValues);
            WriteValues(writer, "maxValues", MaxValues);
            writer.WriteStartObject("nullCount");
            foreach (var (column, count) in NullCount)
            {
                writer.WriteNumber(column, count);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The protocol's timestamp form in stats: ISO-8601 UTC, milliseconds, 'Z'.</summary>
    public static string FormatTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>numRecords of a stats string, without parsing the rest; null when absent or unreadable.</summary>
    public static long? TryReadNumRecords(string? stats)
    {
        if (string.IsNullOrEmpty(stats))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(stats);
            return document.RootElement.TryGetProperty("numRecords", out var value) && value.TryGetInt64(out var count) ? count : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Statistics of a local Parquet file computed with DuckDB: numRecords, nullCount of every top-level column that is
    /// not a struct (struct stats would have to nest, and we write none), min/max of columns with a natural order
    /// (integers, floating point, decimals, strings, dates, timestamps). Strings are cut to a prefix: the min prefix is
    /// still a lower bound; a cut max gets U+10FFFF appended so it stays an upper bound (sorts after every continuation).
    /// </summary>
    public static Task<DeltaFileStats> ComputeAsync(string localParquetPath, CancellationToken cancellationToken = default) =>
        ComputeAsync(localParquetPath, DefaultStringPrefixLength, cancellationToken);

    /// <inheritdoc cref="ComputeAsync(string, CancellationToken)"/>
    public static async Task<DeltaFileStats> ComputeAsync(string localParquetPath, int stringPrefixLength, CancellationToken cancellationToken = default)
    {
        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync(cancellationToken);
        return await ComputeAsync(localParquetPath, connection, stringPrefixLength, cancellationToken);
    }

    /// <inheritdoc cref="ComputeAsync(string, CancellationToken)"/>
    /// <param name="connection">An open DuckDB connection to read with (a caller that keeps databases open saves opening one).</param>
    public static async Task<DeltaFileStats> ComputeAsync(string localParquetPath, DuckDBConnection connection, int stringPrefixLength = DefaultStringPrefixLength, CancellationToken cancellationToken = default) =>
        (await ComputeManyAsync([localParquetPath], connection, stringPrefixLength, cancellationToken))[0];

    /// <summary>
    /// The stats of several Parquet files of one schema (the parts of one table), in their order, read by one query: a
    /// small part's stats cost the query's planning, not its rows, so a pack of small parts pays it once.
    /// </summary>
    public static async Task<IReadOnlyList<DeltaFileStats>> ComputeManyAsync(IReadOnlyList<string> localParquetPaths, DuckDBConnection connection, int stringPrefixLength = DefaultStringPrefixLength, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(localParquetPaths);
        if (localParquetPaths.Count == 0)
        {
            return [];
        }

        static string Literal(string path) => $"'{path.Replace("'", "''", StringComparison.Ordinal)}'";
        var columns = new List<(string Name, string Type)>();
        await using (var describe = connection.CreateCommand())
        {
            describe.CommandText = $"DESCRIBE SELECT * FROM read_parquet({Literal(localParquetPaths[0])})";
            await using var reader = await describe.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        // The reader's file name column, named so that no data column (a "filename" of the dataset's) is shadowed.
        const string File = "__tributary_file";
        var selects = new List<string> { File, "count(*)" };
        var plan = new List<(string Name, StatKind Kind)>();
        foreach (var (name, type) in columns)
        {
            var kind = KindOf(type);
            if (kind == StatKind.Nested)
            {
                continue;
            }

            var column = Quote(name);
            selects.Add($"count(*) - count({column})");
            if (kind != StatKind.None)
            {
                selects.Add(MinMaxText("min", column, kind));
                selects.Add(MinMaxText("max", column, kind));
            }

            plan.Add((name, kind));
        }

        // A file without rows has no group: its stats are those of no rows (no nulls, no bounds).
        var byFile = new Dictionary<string, DeltaFileStats>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            // Timestamps with a zone are formatted in UTC whatever the machine's zone is.
            command.CommandText = $"SET TimeZone = 'UTC'; SELECT {string.Join(", ", selects)} FROM read_parquet([{string.Join(", ", localParquetPaths.Select(Literal))}], filename = '{File}') GROUP BY {File}";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                byFile[reader.GetString(0)] = Read(reader, plan, stringPrefixLength);
            }
        }

        var none = new DeltaFileStats(0, new Dictionary<string, object>(), new Dictionary<string, object>(), plan.ToDictionary(p => p.Name, _ => 0L, StringComparer.Ordinal));
        return [.. localParquetPaths.Select(path => byFile.GetValueOrDefault(path, none))];
    }

    /// <summary>One file's stats from its row of the stats query (filename, count, then per column nulls and, where kept, min and max).</summary>
    private static DeltaFileStats Read(System.Data.Common.DbDataReader reader, List<(string Name, StatKind Kind)> plan, int stringPrefixLength)
    {
        var min = new Dictionary<string, object>(StringComparer.Ordinal);
        var max = new Dictionary<string, object>(StringComparer.Ordinal);
        var nulls = new Dictionary<string, long>(StringComparer.Ordinal);
        var rows = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
        var ordinal = 2;
        foreach (var (name, kind) in plan)
        {
            nulls[name] = Convert.ToInt64(reader.GetValue(ordinal++), CultureInfo.InvariantCulture);
            if (kind == StatKind.None)
            {
                continue;
            }

            var low = reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
            var high = reader.IsDBNull(ordinal + 1) ? null : reader.GetString(ordinal + 1);
            ordinal += 2;
            if (Value(low, kind, stringPrefixLength, isMax: false) is { } lowValue && Value(high, kind, stringPrefixLength, isMax: true) is { } highValue)
            {
                min[name] = lowValue;
                max[name] = highValue;
            }
        }

        return new DeltaFileStats(rows, min, max, nulls);
    }

    private enum StatKind
    {
        None,
        Nested,
        Integer,
        Floating,
        Decimal,
        Text,
        Date,
        Timestamp,
    }

    private static StatKind KindOf(string duckDbType)
    {
        var type = duckDbType.ToUpperInvariant();
        if (type.StartsWith("STRUCT", StringComparison.Ordinal))
        {
            return StatKind.Nested;
        }

        if (type.StartsWith("DECIMAL", StringComparison.Ordinal))
        {
            return StatKind.Decimal;
        }

        return type switch
        {
            "TINYINT" or "SMALLINT" or "INTEGER" or "BIGINT" or "UTINYINT" or "USMALLINT" or "UINTEGER" => StatKind.Integer,
            "FLOAT" or "DOUBLE" => StatKind.Floating,
            "VARCHAR" => StatKind.Text,
            "DATE" => StatKind.Date,
            "TIMESTAMP" or "TIMESTAMP WITH TIME ZONE" or "TIMESTAMP_MS" or "TIMESTAMP_S" or "TIMESTAMP_NS" => StatKind.Timestamp,
            _ => StatKind.None, // booleans, blobs, lists, maps, UUIDs, HUGEINT, UBIGINT: nullCount only
        };
    }

    // Everything comes back as text so that no value passes through a lossy CLR conversion (decimals, timestamps).
    private static string MinMaxText(string aggregate, string column, StatKind kind) => kind switch
    {
        StatKind.Timestamp => $"strftime({aggregate}({column}), '%Y-%m-%dT%H:%M:%S.%gZ')",
        StatKind.Date => $"strftime({aggregate}({column}), '%Y-%m-%d')",
        // NaN sorts above every number in DuckDB; a stat must not carry it.
        StatKind.Floating => $"CAST({aggregate}({column}) FILTER (WHERE NOT isnan({column}) AND NOT isinf({column})) AS VARCHAR)",
        _ => $"CAST({aggregate}({column}) AS VARCHAR)",
    };

    private static object? Value(string? text, StatKind kind, int prefixLength, bool isMax)
    {
        if (text is null)
        {
            return null;
        }

        switch (kind)
        {
            case StatKind.Integer:
                return long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            case StatKind.Floating:
                return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            case StatKind.Decimal:
                return decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
            case StatKind.Date:
                return DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            case StatKind.Timestamp:
                return DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            case StatKind.Text:
                var cut = Prefix(text, prefixLength);
                return cut.Length == text.Length || !isMax ? cut : cut + char.ConvertFromUtf32(0x10FFFF);
            default:
                return null;
        }
    }

    /// <summary>At most <paramref name="length"/> UTF-16 units, never splitting a surrogate pair.</summary>
    private static string Prefix(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var end = char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;
        return text[..end];
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void WriteValues(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, object> values)
    {
        writer.WriteStartObject(name);
        foreach (var (column, value) in values)
        {
            writer.WritePropertyName(column);
            switch (value)
            {
                case long or int or short or byte:
                    writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                    break;
                case double or float:
                    writer.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                    break;
                case decimal number:
                    writer.WriteNumberValue(number);
                    break;
                case string text:
                    writer.WriteStringValue(text);
                    break;
                case DateOnly date:
                    writer.WriteStringValue(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    break;
                case DateTimeOffset time:
                    writer.WriteStringValue(FormatTimestamp(time));
                    break;
                case DateTime time:
                    writer.WriteStringValue(FormatTimestamp(new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc))));
                    break;
                case JsonElement element:
                    element.WriteTo(writer);
                    break;
                default:
                    throw new ArgumentException($"Stats value of column '{column}' has an unsupported type {value.GetType().Name}.");
            }
        }

        writer.WriteEndObject();
    }
}
