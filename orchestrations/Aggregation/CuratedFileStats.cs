using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using static Tributary.Orchestrations.Processing.DuckDbCommands;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>
/// Data skipping for a refresh: which curated files can hold rows of the affected groups, judged from the add actions'
/// stats (minValues, maxValues, nullCount) without reading the files. Conservative: unknown means "may".
/// </summary>
internal static class CuratedFileStats
{
    public static IReadOnlyList<int> Candidates(DuckDBConnection connection, AggregationSpec spec, IReadOnlyList<DeltaAdd> files, DeltaSchema schema)
    {
        var columns = spec.GroupBy.Select(g => g.Column).Distinct(StringComparer.Ordinal).ToList();
        var fields = columns.Select(schema.Find).ToList();
        if (files.Count == 0 || fields.Any(f => f is null))
        {
            return Enumerable.Range(0, files.Count).ToList();
        }

        Execute(connection, $"CREATE OR REPLACE TEMP TABLE curated_stats AS SELECT * FROM ({Values(files, columns)}) s(idx{string.Concat(columns.Select((_, i) => $", min{i}, max{i}, nulls{i}"))})");

        // Bounds in the columns' own types, named like the columns so the group expressions apply to them as they are.
        // A timestamp max is cut to milliseconds in stats: widen it by one. Floating point stats skip NaN: no bounds.
        string Bound(string side, int i)
        {
            var type = DuckDbTables.DuckDbType(fields[i]!.Type);
            var value = $"TRY_CAST({side}{i} AS {type})";
            var widened = side == "max" && type == "TIMESTAMPTZ" ? $"{value} + INTERVAL 1 MILLISECOND" : value;
            return type is "DOUBLE" or "FLOAT" ? $"CAST(NULL AS {type}) AS {Identifier(columns[i])}" : $"{widened} AS {Identifier(columns[i])}";
        }

        string Keys(string side) =>
            string.Join(", ", spec.GroupBy.Select((g, k) => $"{AggregationSqlCompiler.GroupExpression(g, SqlDialect.DuckDb)} AS {side}{k}"));

        var nulls = spec.GroupBy.Select(g => $"nulls{columns.IndexOf(g.Column)}").ToList();
        var conditions = spec.GroupBy.Select((_, k) =>
            $"CASE WHEN a.{AffectedGroups.KeyColumn(k)} IS NULL THEN coalesce(s.{nulls[k]}, 1) > 0 " +
            $"WHEN lo.lo{k} IS NULL OR hi.hi{k} IS NULL THEN true " +
            $"ELSE a.{AffectedGroups.KeyColumn(k)} BETWEEN lo.lo{k} AND hi.hi{k} END");
        var sql = $"""
            WITH lo AS (SELECT idx, {Keys("lo")} FROM (SELECT idx, {string.Join(", ", columns.Select((_, i) => Bound("min", i)))} FROM curated_stats)),
                 hi AS (SELECT idx, {Keys("hi")} FROM (SELECT idx, {string.Join(", ", columns.Select((_, i) => Bound("max", i)))} FROM curated_stats))
            SELECT s.idx FROM curated_stats s JOIN lo USING (idx) JOIN hi USING (idx)
            WHERE EXISTS (SELECT 1 FROM {AffectedGroups.Table} a WHERE {string.Join(" AND ", conditions)})
            ORDER BY s.idx
            """;
        var candidates = new List<int>();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            candidates.Add(reader.GetInt32(0));
        }

        return candidates;
    }

    private static string Values(IReadOnlyList<DeltaAdd> files, List<string> columns)
    {
        var text = new StringBuilder("VALUES ");
        for (var f = 0; f < files.Count; f++)
        {
            var (min, max, nulls) = Read(files[f].Stats);
            text.Append(f == 0 ? "(" : ", (").Append(f.ToString(CultureInfo.InvariantCulture));
            foreach (var column in columns)
            {
                text.Append(", ").Append(Text(min, column)).Append(", ").Append(Text(max, column)).Append(", ")
                    .Append(nulls.TryGetValue(column, out var n) ? n.ToString(CultureInfo.InvariantCulture) : "CAST(NULL AS BIGINT)");
            }

            text.Append(')');
        }

        return text.ToString();
    }

    private static string Text(Dictionary<string, string> values, string column) =>
        values.TryGetValue(column, out var value) ? $"CAST({Literal(value)} AS VARCHAR)" : "CAST(NULL AS VARCHAR)";

    private static (Dictionary<string, string> Min, Dictionary<string, string> Max, Dictionary<string, long> Nulls) Read(string? stats)
    {
        var (min, max, nulls) = (new Dictionary<string, string>(StringComparer.Ordinal), new Dictionary<string, string>(StringComparer.Ordinal), new Dictionary<string, long>(StringComparer.Ordinal));
        if (string.IsNullOrEmpty(stats))
        {
            return (min, max, nulls);
        }

        try
        {
            using var document = JsonDocument.Parse(stats);
            Collect(document.RootElement, "minValues", min);
            Collect(document.RootElement, "maxValues", max);
            if (document.RootElement.TryGetProperty("nullCount", out var counts) && counts.ValueKind == JsonValueKind.Object)
            {
                foreach (var count in counts.EnumerateObject())
                {
                    if (count.Value.TryGetInt64(out var n))
                    {
                        nulls[count.Name] = n;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Unreadable stats: the file is simply not skipped.
        }

        return (min, max, nulls);
    }

    private static void Collect(JsonElement root, string name, Dictionary<string, string> into)
    {
        if (root.TryGetProperty(name, out var values) && values.ValueKind == JsonValueKind.Object)
        {
            foreach (var value in values.EnumerateObject())
            {
                if (value.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                {
                    into[value.Name] = value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString()! : value.Value.GetRawText();
                }
            }
        }
    }
}
