using System.Globalization;
using System.Text;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>
/// Compiles one <see cref="AggregationSpec"/> into the SQL of each engine, over a relation named
/// <c>curated</c>, so DuckDB and Databricks compute the same thing.
/// </summary>
public static class AggregationSqlCompiler
{
    public const string SourceRelation = "curated";

    private static readonly HashSet<string> TruncUnits = ["year", "quarter", "month", "week", "day", "hour", "minute"];

    public static string Compile(AggregationSpec spec, SqlDialect dialect) => Compile(spec, dialect, SourceRelation);

    /// <summary>The same query over another relation (a refresh narrows <c>curated</c> to the affected groups' rows).</summary>
    public static string Compile(AggregationSpec spec, SqlDialect dialect, string relation)
    {
        if (spec.Measures.Count == 0)
        {
            throw new ArgumentException("An aggregation needs at least one measure.");
        }

        var select = new List<string>();
        foreach (var key in spec.GroupBy)
        {
            select.Add($"{GroupExpression(key, dialect)} AS {Quote(key.Name, dialect)}");
        }

        foreach (var measure in spec.Measures)
        {
            select.Add($"{MeasureExpression(measure, dialect)} AS {Quote(measure.Name, dialect)}");
        }

        var sql = new StringBuilder();
        sql.Append("SELECT ").AppendJoin(", ", select).Append(" FROM ").Append(relation);
        if (spec.GroupBy.Count > 0)
        {
            var ordinals = string.Join(", ", Enumerable.Range(1, spec.GroupBy.Count));
            sql.Append(" GROUP BY ").Append(ordinals).Append(" ORDER BY ").Append(ordinals);
        }

        return sql.ToString();
    }

    /// <summary>A group key's expression over the curated rows (a column, or date_trunc of one).</summary>
    public static string GroupExpression(GroupBySpec key, SqlDialect dialect)
    {
        var column = Quote(key.Column, dialect);
        if (key.DateTrunc is null)
        {
            return column;
        }

        var unit = key.DateTrunc.ToLowerInvariant();
        if (!TruncUnits.Contains(unit))
        {
            throw new ArgumentException($"groupBy '{key.Name}': date_trunc unit '{key.DateTrunc}' is not one of {string.Join(", ", TruncUnits)}.");
        }

        // Both engines spell it date_trunc(unit, ts); Spark wants the unit upper-case by convention.
        return dialect == SqlDialect.Spark
            ? $"date_trunc('{unit.ToUpperInvariant()}', {column})"
            : $"date_trunc('{unit}', {column})";
    }

    private static string MeasureExpression(MeasureSpec measure, SqlDialect dialect)
    {
        var function = measure.Function.ToLowerInvariant();
        if (function == "count" && measure.Column is null)
        {
            return "count(*)";
        }

        var column = Quote(measure.Column ?? throw new ArgumentException($"measure '{measure.Name}': {function} needs a column."), dialect);
        return function switch
        {
            "count" => $"count({column})",
            "count_distinct" => $"count(DISTINCT {column})",
            "sum" => $"sum({column})",
            "avg" => $"avg({column})",
            "min" => $"min({column})",
            "max" => $"max({column})",
            "quantile" => Quantile(measure, column, dialect),
            _ => throw new ArgumentException($"measure '{measure.Name}': unknown function '{measure.Function}'."),
        };
    }

    /// <summary>Whether the measure needs every value of its group at once (quantile, count_distinct), not a running state.</summary>
    public static bool IsHolistic(MeasureSpec measure) => measure.Function.ToLowerInvariant() is "quantile" or "count_distinct";

    private static string Quantile(MeasureSpec measure, string column, SqlDialect dialect)
    {
        if (measure.P is not { } p || p is < 0 or > 1)
        {
            throw new ArgumentException($"measure '{measure.Name}': quantile needs p between 0 and 1.");
        }

        var literal = p.ToString(CultureInfo.InvariantCulture);

        // Exact, interpolated quantile in both engines, so results agree.
        return dialect == SqlDialect.Spark
            ? $"percentile({column}, {literal})"
            : $"quantile_cont({column}, {literal})";
    }

    public static string Quote(string identifier, SqlDialect dialect) => dialect == SqlDialect.Spark
        ? $"`{identifier.Replace("`", "``", StringComparison.Ordinal)}`"
        : $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
