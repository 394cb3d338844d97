namespace Tributary.Orchestrations.Aggregation;

/// <summary>A declarative aggregation: group-by expressions and named measures, compiled per engine dialect.</summary>
public sealed record AggregationSpec
{
    /// <summary>duckdb (embedded default) or databricks.</summary>
    public string Engine { get; init; } = AggregationEngines.DuckDb;
    public required IReadOnlyList<GroupBySpec> GroupBy { get; init; }
    public required IReadOnlyList<MeasureSpec> Measures { get; init; }
}

public static class AggregationEngines
{
    public const string DuckDb = "duckdb";
    public const string Databricks = "databricks";
}

/// <summary>A group key: a column, or date_trunc(unit, column) when <see cref="DateTrunc"/> is set.</summary>
public sealed record GroupBySpec
{
    public required string Name { get; init; }
    public required string Column { get; init; }
    public string? DateTrunc { get; init; }
}

/// <summary>count, count_distinct, sum, avg, min, max or quantile (with <see cref="P"/>).</summary>
public sealed record MeasureSpec
{
    public required string Name { get; init; }
    public required string Function { get; init; }
    public string? Column { get; init; }
    public double? P { get; init; }
}
