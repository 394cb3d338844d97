using Tributary.Orchestrations.Datasets;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Turns a dataset schema into DuckDB expressions: the typed value of each column and the list of
/// reasons a row breaks the schema. Validation runs inside DuckDB, at DuckDB's speed.
/// </summary>
public static class ValidationSqlBuilder
{
    /// <summary>The typed value of a column whose raw value is <paramref name="raw"/>.</summary>
    /// <param name="rawIsText">True when the source gives text (CSV, JSON lines); false for typed Parquet.</param>
    public static string TypedExpression(ColumnSpec column, string raw, bool rawIsText)
    {
        var type = ColumnType.Parse(column.Type);
        if (!rawIsText)
        {
            return type.Kind == "string" ? $"CAST({raw} AS VARCHAR)" : $"TRY_CAST({raw} AS {type.DuckDbType})";
        }

        var value = type.Kind switch
        {
            "string" => raw,
            "bool" => $"TRY_CAST(lower(trim({raw})) AS BOOLEAN)",
            "date" when column.Format is not null => $"CAST(try_strptime(trim({raw}), {Literal(column.Format)}) AS DATE)",
            "timestamp" when column.Format is not null => $"CAST(try_strptime(trim({raw}), {Literal(column.Format)}) AS TIMESTAMP)",
            _ => $"TRY_CAST(trim({raw}) AS {type.DuckDbType})",
        };

        // Local wall-clock text in a declared zone is stored as UTC.
        return type.Kind == "timestamp" && column.TimeZone is not null
            ? $"timezone('UTC', timezone({Literal(column.TimeZone)}, {value}))"
            : value;
    }

    /// <summary>
    /// A DuckDB list of the row's problems, each "column: what is wrong"; empty when the row is valid.
    /// </summary>
    public static string ReasonsExpression(IReadOnlyList<ColumnSpec> columns, Func<ColumnSpec, string> raw, bool rawIsText, IEnumerable<string> extraReasons)
    {
        var checks = new List<string>(extraReasons);
        foreach (var column in columns)
        {
            checks.AddRange(ColumnChecks(column, raw(column), rawIsText));
        }

        return checks.Count == 0
            ? "CAST([] AS VARCHAR[])"
            : $"list_filter([{string.Join(",\n ", checks)}], r -> r IS NOT NULL)";
    }

    private static IEnumerable<string> ColumnChecks(ColumnSpec column, string raw, bool rawIsText)
    {
        var type = ColumnType.Parse(column.Type);
        var typed = TypedExpression(column, raw, rawIsText);
        var name = column.Name;
        var shown = $"CAST({raw} AS VARCHAR)";

        if (column.Required)
        {
            yield return $"CASE WHEN {raw} IS NULL THEN {Literal($"{name}: required value is missing")} END";
        }

        if (type.Kind != "string")
        {
            yield return $"CASE WHEN {raw} IS NOT NULL AND {typed} IS NULL THEN {Literal(name + ": '")} || {shown} || {Literal($"' is not {type.Noun}")} END";
        }

        if (column.Min is { } min)
        {
            yield return $"CASE WHEN {typed} < {Number(min)} THEN {Literal(name + ": ")} || {shown} || {Literal($" < min {Number(min)}")} END";
        }

        if (column.Max is { } max)
        {
            yield return $"CASE WHEN {typed} > {Number(max)} THEN {Literal(name + ": ")} || {shown} || {Literal($" > max {Number(max)}")} END";
        }

        if (column.Allowed is { Count: > 0 } allowed)
        {
            yield return $"CASE WHEN {raw} IS NOT NULL AND NOT list_contains({List(allowed)}, {shown}) THEN {Literal(name + ": '")} || {shown} || {Literal($"' is not one of {string.Join(", ", allowed)}")} END";
        }

        if (column.Pattern is not null)
        {
            yield return $"CASE WHEN {raw} IS NOT NULL AND NOT regexp_full_match({shown}, {Literal(column.Pattern)}) THEN {Literal(name + ": '")} || {shown} || {Literal($"' does not match {column.Pattern}")} END";
        }
    }
}
