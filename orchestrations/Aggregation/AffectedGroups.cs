using System.Globalization;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using static Tributary.Orchestrations.Processing.DuckDbCommands;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>
/// The aggregate groups a refresh must recompute: the group keys present in every curated file added or removed since the
/// last refresh (a removed file's keys too, so a group that lost rows, or all of them, is recomputed).
/// Values are engine-neutral text (timestamps as UTC <c>yyyy-MM-dd HH:mm:ss.ffffff</c>, null for SQL NULL) with the
/// key columns' Delta types, so they can travel as job parameters; <see cref="Predicate"/> renders them as SQL.
/// </summary>
/// <param name="KeyColumns">The group-by names, i.e. the aggregate table's key columns.</param>
/// <param name="KeyTypes">Delta type of each key column (string, long, date, timestamp, decimal(p,s), …); empty when unknown.</param>
/// <param name="Keys">One entry per affected group, values in <paramref name="KeyColumns"/> order.</param>
/// <param name="All">Every group is affected: first refresh, spec change, a gap in the curated log, no group-by.</param>
public sealed record AffectedGroups(IReadOnlyList<string> KeyColumns, IReadOnlyList<string> KeyTypes, IReadOnlyList<IReadOnlyList<string?>> Keys, bool All)
{
    /// <summary>Name of the temp table of distinct keys in a refresh's DuckDB connection (columns __k0, __k1, …).</summary>
    internal const string Table = "affected_keys";

    public static AffectedGroups Everything(AggregationSpec spec) => new(spec.GroupBy.Select(g => g.Name).ToList(), [], [], true);

    public static AffectedGroups None(AggregationSpec spec) => new(spec.GroupBy.Select(g => g.Name).ToList(), [], [], false);

    public bool IsEmpty => !All && Keys.Count == 0;

    /// <summary>
    /// The keys of groups touched by curated commits (<paramref name="afterVersion"/>, <paramref name="toVersion"/>];
    /// <see cref="All"/> when <paramref name="afterVersion"/> is null (nothing reflected yet), the log range is incomplete,
    /// a changed file is gone from storage, or the spec has no group-by.
    /// </summary>
    public static async Task<AffectedGroups> ComputeAsync(
        IDeltaStore curated, AggregationSpec spec, long? afterVersion, long toVersion, TableFileCache cache, string workDirectory, CancellationToken cancellationToken = default)
    {
        var files = await ChangedLocalFilesAsync(curated, afterVersion, toVersion, cache, cancellationToken);
        if (files is null)
        {
            return Everything(spec);
        }

        if (files.Count == 0)
        {
            return None(spec);
        }

        if (spec.GroupBy.Count == 0)
        {
            return Everything(spec);
        }

        using var connection = DuckDbTables.Open(workDirectory);
        Load(connection, spec, files);
        return Read(connection, spec);
    }

    /// <summary>
    /// Local copies of the files changed in (after, to], or null when the keys cannot be known from them
    /// (nothing reflected yet, a commit file or a removed data file gone).
    /// </summary>
    internal static async Task<IReadOnlyList<string>?> ChangedLocalFilesAsync(IDeltaStore curated, long? afterVersion, long toVersion, TableFileCache cache, CancellationToken cancellationToken)
    {
        if (afterVersion is not { } after)
        {
            return null;
        }

        var changes = await CuratedChanges.ReadAsync(curated, after, toVersion, cancellationToken);
        if (changes is null)
        {
            return null;
        }

        var local = new List<string>();
        foreach (var change in changes)
        {
            if (await cache.GetAsync(curated, change.StoragePath, change.Size, cancellationToken) is not { } path)
            {
                return null;
            }

            local.Add(path);
        }

        return local;
    }

    /// <summary>Creates <see cref="Table"/>: the distinct group keys of the rows in <paramref name="localFiles"/>.</summary>
    internal static void Load(DuckDBConnection connection, AggregationSpec spec, IReadOnlyList<string> localFiles)
    {
        var keys = spec.GroupBy.Select((g, i) => $"{AggregationSqlCompiler.GroupExpression(g, SqlDialect.DuckDb)} AS {KeyColumn(i)}");
        Execute(connection, $"CREATE OR REPLACE TEMP TABLE {Table} AS SELECT DISTINCT {string.Join(", ", keys)} FROM {DuckDbTables.Relation(localFiles, new DeltaSchema())}");
    }

    /// <summary>
    /// A join that keeps the rows (of the relation before it) whose group keys are in <see cref="Table"/>
    /// (<paramref name="matching"/>) or are not: a hash semi/anti join built on the small key table, with NULL keys
    /// matching NULL. Not a correlated EXISTS: DuckDB plans that as a delim join that first holds every input row, and
    /// over 23 M curated rows it ran out of the refresh's 128 MB memory limit.
    /// </summary>
    internal static string JoinSql(IEnumerable<string> rowKeyExpressions, bool matching) =>
        $"{(matching ? "SEMI" : "ANTI")} JOIN {Table} ON {string.Join(" AND ", rowKeyExpressions.Select((e, i) => $"{Table}.{KeyColumn(i)} IS NOT DISTINCT FROM {e}"))}";

    internal static string KeyColumn(int index) => $"__k{index}";

    /// <summary>Reads <see cref="Table"/> back as engine-neutral values.</summary>
    internal static AffectedGroups Read(DuckDBConnection connection, AggregationSpec spec)
    {
        var duckTypes = new List<string>();
        using (var describe = connection.CreateCommand())
        {
            describe.CommandText = $"SELECT column_type FROM (DESCRIBE {Table})";
            using var reader = describe.ExecuteReader();
            while (reader.Read())
            {
                duckTypes.Add(reader.GetString(0));
            }
        }

        var deltaTypes = duckTypes.Select(t => DeltaTypes.FromDuckDb(t) ?? DeltaTypes.String).ToList();
        var texts = deltaTypes.Select((type, i) => type == DeltaTypes.Timestamp
            ? $"strftime({KeyColumn(i)}, '%Y-%m-%d %H:%M:%S.%f')"
            : $"CAST({KeyColumn(i)} AS VARCHAR)");
        var keys = new List<IReadOnlyList<string?>>();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", texts)} FROM {Table} ORDER BY ALL";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var key = new string?[reader.FieldCount];
                for (var i = 0; i < key.Length; i++)
                {
                    key[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
                }

                keys.Add(key);
            }
        }

        return new AffectedGroups(spec.GroupBy.Select(g => g.Name).ToList(), deltaTypes, keys, false);
    }

    /// <summary>
    /// A SQL condition selecting the affected groups: over the aggregate table's key columns, or, given the spec, over
    /// curated rows (the group-by expressions). TRUE when <see cref="All"/>, FALSE when nothing is affected.
    /// Spark sessions must run in UTC (spark.sql.session.timeZone) for date_trunc keys to match.
    /// </summary>
    public string Predicate(SqlDialect dialect, AggregationSpec? overCuratedRowsOf = null)
    {
        if (All)
        {
            return "TRUE";
        }

        if (Keys.Count == 0)
        {
            return "FALSE";
        }

        var left = overCuratedRowsOf is null
            ? KeyColumns.Select(c => AggregationSqlCompiler.Quote(c, dialect)).ToList()
            : overCuratedRowsOf.GroupBy.Select(g => AggregationSqlCompiler.GroupExpression(g, dialect)).ToList();
        var groups = Keys.Select(key => "(" + string.Join(" AND ", key.Select((value, i) =>
            value is null ? $"{left[i]} IS NULL" : $"{left[i]} = {Literal(value, KeyTypes.Count > i ? KeyTypes[i] : DeltaTypes.String, dialect)}")) + ")");
        return string.Join(" OR ", groups);
    }

    private static string Literal(string value, string deltaType, SqlDialect dialect) => deltaType switch
    {
        DeltaTypes.Timestamp => dialect == SqlDialect.Spark ? $"TIMESTAMP '{value}Z'" : $"TIMESTAMPTZ '{value}+00'",
        DeltaTypes.Date => $"DATE '{value}'",
        DeltaTypes.Boolean => value.ToUpperInvariant(),
        DeltaTypes.Integer or DeltaTypes.Long or "short" or "byte" => long.Parse(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        DeltaTypes.Double or "float" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d.ToString("R", CultureInfo.InvariantCulture)
            : $"CAST({StringLiteral(value, dialect)} AS DOUBLE)",
        _ when DeltaTypes.IsDecimal(deltaType) => $"CAST({decimal.Parse(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)} AS {deltaType.ToUpperInvariant()})",
        _ => StringLiteral(value, dialect),
    };

    // Spark string literals treat backslash as an escape; DuckDB's do not.
    private static string StringLiteral(string value, SqlDialect dialect) => dialect == SqlDialect.Spark
        ? $"'{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}'"
        : $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}
