using Tributary.Orchestrations.Datasets;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Turns a dataset schema into DuckDB expressions: the typed value of each column, the list of reasons a row
/// breaks the schema, and a cheap predicate that is true exactly when that list is empty. Validation runs
/// inside DuckDB, at DuckDB's speed; the reasons are only built for the rows that have some.
/// </summary>
public static class ValidationSqlBuilder
{
    /// <summary>One rule: the row breaks it when <see cref="Condition"/> is true, and <see cref="Message"/> says how.</summary>
    public sealed record Check(string Condition, string Message);

    /// <summary>The typed value of a column whose raw value is <paramref name="raw"/>.</summary>
    /// <param name="rawIsText">True when the source gives text (CSV, JSON lines); false for typed Parquet.</param>
    public static string TypedExpression(ColumnSpec column, string raw, bool rawIsText) =>
        ZonedToUtc(column, rawIsText, ParsedExpression(column, raw, rawIsText));

    /// <summary>
    /// The typed value before a declared time zone is applied (local wall-clock time). It is NULL exactly when
    /// <see cref="TypedExpression"/> is, since the zone conversion of a timestamp is never NULL, so checks use it.
    /// </summary>
    public static string ParsedExpression(ColumnSpec column, string raw, bool rawIsText)
    {
        var type = ColumnType.Parse(column.Type);
        if (!rawIsText)
        {
            return type.Kind == ColumnKind.String ? $"CAST({raw} AS VARCHAR)" : $"TRY_CAST({raw} AS {type.DuckDbType})";
        }

        return type.Kind switch
        {
            ColumnKind.String => raw,
            ColumnKind.Bool => $"TRY_CAST(lower(trim({raw})) AS BOOLEAN)",
            ColumnKind.Date when column.Format is not null => $"CAST(try_strptime(trim({raw}), {Literal(column.Format)}) AS DATE)",
            ColumnKind.Timestamp when column.Format is not null => $"CAST(try_strptime(trim({raw}), {Literal(column.Format)}) AS TIMESTAMP)",
            // trim stays even though the cast skips ASCII whitespace: untrimmed, DuckDB casts '+ ' to 0 and '4E ' to 4.
            _ => $"TRY_CAST(trim({raw}) AS {type.DuckDbType})",
        };
    }

    /// <summary>True when the column's text is local wall-clock time in a declared zone, stored as UTC.</summary>
    public static bool HasTimeZone(ColumnSpec column, bool rawIsText) =>
        rawIsText && column.TimeZone is not null && ColumnType.Parse(column.Type).Kind == ColumnKind.Timestamp;

    /// <summary>
    /// A DuckDB list of the row's problems, each "column: what is wrong"; empty when the row is valid.
    /// </summary>
    public static string ReasonsExpression(IReadOnlyList<ColumnSpec> columns, Func<ColumnSpec, string> raw, bool rawIsText, IEnumerable<Check> extraChecks)
    {
        var reasons = extraChecks
            .Concat(Checks(columns, raw, c => TypedExpression(c, raw(c), rawIsText)))
            .Select(c => $"CASE WHEN {c.Condition} THEN {c.Message} END")
            .ToList();
        return reasons.Count == 0
            ? "CAST([] AS VARCHAR[])"
            : $"list_filter([{string.Join(",\n ", reasons)}], r -> r IS NOT NULL)";
    }

    /// <summary>
    /// True exactly when <see cref="ReasonsExpression"/> is empty (given the same extra checks): no rule's condition
    /// is true. <paramref name="parsed"/> names each column's already computed <see cref="ParsedExpression"/>.
    /// </summary>
    public static string ValidExpression(IReadOnlyList<ColumnSpec> columns, Func<ColumnSpec, string> raw, Func<ColumnSpec, string> parsed, IEnumerable<Check> extraChecks)
    {
        var conditions = extraChecks.Concat(Checks(columns, raw, parsed)).Select(c => c.Condition).ToList();
        return conditions.Count == 0 ? "true" : $"NOT coalesce({string.Join("\n OR ", conditions.Select(c => $"({c})"))}, false)";
    }

    /// <summary>Every rule of the schema, in the order their reasons are listed.</summary>
    /// <param name="typed">The column's typed value; only its NULL-ness and order against min/max are used.</param>
    public static IEnumerable<Check> Checks(IReadOnlyList<ColumnSpec> columns, Func<ColumnSpec, string> raw, Func<ColumnSpec, string> typed) =>
        columns.SelectMany(c => ColumnChecks(c, raw(c), typed(c)));

    private static IEnumerable<Check> ColumnChecks(ColumnSpec column, string raw, string typed)
    {
        var type = ColumnType.Parse(column.Type);
        var name = column.Name;
        var shown = $"CAST({raw} AS VARCHAR)";

        if (column.Required)
        {
            yield return new Check($"{raw} IS NULL", Literal($"{name}: required value is missing"));
        }

        if (type.Kind != ColumnKind.String)
        {
            yield return new Check($"{raw} IS NOT NULL AND {typed} IS NULL", $"{Literal(name + ": '")} || {shown} || {Literal($"' is not {type.Noun}")}");
        }

        if (column.Min is { } min)
        {
            yield return new Check($"{typed} < {Number(min)}", $"{Literal(name + ": ")} || {shown} || {Literal($" < min {Number(min)}")}");
        }

        if (column.Max is { } max)
        {
            yield return new Check($"{typed} > {Number(max)}", $"{Literal(name + ": ")} || {shown} || {Literal($" > max {Number(max)}")}");
        }

        if (column.Allowed is { Count: > 0 } allowed)
        {
            yield return new Check($"{raw} IS NOT NULL AND NOT list_contains({List(allowed)}, {shown})", $"{Literal(name + ": '")} || {shown} || {Literal($"' is not one of {string.Join(", ", allowed)}")}");
        }

        if (column.Pattern is not null)
        {
            yield return new Check($"{raw} IS NOT NULL AND NOT regexp_full_match({shown}, {Literal(column.Pattern)})", $"{Literal(name + ": '")} || {shown} || {Literal($"' does not match {column.Pattern}")}");
        }
    }

    private static string ZonedToUtc(ColumnSpec column, bool rawIsText, string local) => HasTimeZone(column, rawIsText)
        ? ZoneOffsets.IcuToUtc(local, column.TimeZone!)
        : local;
}
