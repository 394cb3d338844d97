using DuckDB.NET.Data;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using static Tributary.Orchestrations.Processing.DuckDbCommands;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>
/// The DuckDB half of a refresh, in one connection: the compiled spec over the curated rows (all of them, or only the
/// rows of affected groups), and the new aggregate rows as the temp table <see cref="Result"/>.
/// Measures are always computed from rows, so count_distinct and quantile stay exact.
/// </summary>
/// <param name="rowsPerBatch">See <see cref="PipelineOptions.RefreshRowsPerBatch"/>.</param>
internal sealed class AggregateRecompute(DuckDBConnection connection, AggregationSpec spec, long rowsPerBatch)
{
    public const string Result = "refreshed";

    private const string BatchRelation = "curated_batch";
    private const int MaxBatches = 64;

    /// <summary>Batches of groups the last computation used (see <see cref="Compute"/>).</summary>
    public int Batches { get; private set; } = 1;

    /// <summary>Every group from every curated row.</summary>
    public long Full(IReadOnlyList<string> curatedFiles, DeltaSchema curatedSchema)
    {
        CreateCurated(curatedFiles, curatedSchema);
        Compute(Result, AggregationSqlCompiler.SourceRelation);
        return ScalarInt64(connection, $"SELECT count(*) FROM {Result}");
    }

    /// <summary>Loads the distinct group keys of <paramref name="changedFiles"/> (see <see cref="AffectedGroups"/>); their count.</summary>
    public long LoadAffected(IReadOnlyList<string> changedFiles)
    {
        AffectedGroups.Load(connection, spec, changedFiles);
        return ScalarInt64(connection, $"SELECT count(*) FROM {AffectedGroups.Table}");
    }

    /// <summary>
    /// The curated files that may hold rows of an affected group, by their stats: for each key, the group expression of
    /// the file's min and max bounds the keys it can produce (date_trunc never decreases). A file without usable stats
    /// for a key column is kept. Call after <see cref="LoadAffected"/>.
    /// </summary>
    public IReadOnlyList<int> CandidateFiles(IReadOnlyList<DeltaAdd> files, DeltaSchema curatedSchema) =>
        CuratedFileStats.Candidates(connection, spec, files, curatedSchema);

    /// <summary>
    /// The affected groups (after <see cref="LoadAffected"/>) recomputed from every curated row of those groups
    /// (<paramref name="curatedFiles"/> must hold all of them), plus the unaffected rows of the aggregate files that hold
    /// an affected key. Returns those aggregate files (local paths): they are replaced. A vanished group simply has no
    /// recomputed row.
    /// </summary>
    public IReadOnlyList<string> Incremental(IReadOnlyList<string> curatedFiles, DeltaSchema curatedSchema, IReadOnlyList<string> aggregateFiles, int compactAbove)
    {
        CreateCurated(curatedFiles, curatedSchema);
        var rowKeys = spec.GroupBy.Select(g => AggregationSqlCompiler.GroupExpression(g, SqlDialect.DuckDb));
        Execute(connection, $"CREATE OR REPLACE TEMP VIEW curated_affected AS SELECT * FROM {AggregationSqlCompiler.SourceRelation} {AffectedGroups.JoinSql(rowKeys, matching: true)}");
        Compute("recomputed", "curated_affected");

        var aggregateKeys = spec.GroupBy.Select(g => Identifier(g.Name)).ToList();
        var replaced = new List<string>();
        if (aggregateFiles.Count > 0)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT DISTINCT filename FROM read_parquet({List(aggregateFiles)}, filename = true) {AffectedGroups.JoinSql(aggregateKeys, matching: true)}";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                replaced.Add(reader.GetString(0));
            }
        }

        // Each refresh adds one file; rewriting all of them once there are many keeps the aggregate to a few files.
        if (aggregateFiles.Count - replaced.Count + 1 > compactAbove)
        {
            replaced = [.. aggregateFiles];
        }

        var kept = replaced.Count == 0
            ? ""
            : $" UNION ALL BY NAME SELECT * FROM read_parquet({List(replaced)}) {AffectedGroups.JoinSql(aggregateKeys, matching: false)}";
        Execute(connection, $"CREATE OR REPLACE TEMP TABLE {Result} AS SELECT * FROM recomputed{kept}");
        return replaced;
    }

    /// <summary>The Delta schema of <see cref="Result"/>, whose column types are already ones Delta names.</summary>
    public DeltaSchema Schema() =>
        new(Columns(Result).Select(c => new DeltaField(c.Name, DeltaTypes.FromDuckDb(c.Type)!, true)).ToArray());

    /// <summary>Writes <see cref="Result"/> ordered by the group keys; the row count.</summary>
    public long Write(string localPath)
    {
        var order = spec.GroupBy.Count == 0 ? "" : $" ORDER BY {string.Join(", ", spec.GroupBy.Select(g => Identifier(g.Name)))}";
        return Execute(connection, $"COPY (SELECT * FROM {Result}{order}) TO {Literal(localPath)} (FORMAT parquet)");
    }

    /// <summary>
    /// The spec over <paramref name="relation"/> into <paramref name="table"/>. An exact quantile or count_distinct holds
    /// every value of its group in memory, outside DuckDB's memory limit (a median over 23 M rows added ~320 MB to
    /// serve's peak): over more rows than <c>rowsPerBatch</c>, the groups are computed in batches by the hash of their
    /// keys, each batch a scan of the rows that keeps only its own groups' values. Every group is in exactly one batch,
    /// so the result is the same; the cost is one more scan per batch.
    /// </summary>
    private void Compute(string table, string relation)
    {
        var batches = Batches = BatchCount();
        if (batches == 1)
        {
            Normalized(table, AggregationSqlCompiler.Compile(spec, SqlDialect.DuckDb, relation));
            return;
        }

        var keys = string.Join(", ", spec.GroupBy.Select(g => AggregationSqlCompiler.GroupExpression(g, SqlDialect.DuckDb)));
        for (var batch = 0; batch < batches; batch++)
        {
            Execute(connection, $"CREATE OR REPLACE TEMP VIEW {BatchRelation} AS SELECT * FROM {relation} WHERE hash({keys}) % {batches} = {batch}");
            var sql = AggregationSqlCompiler.Compile(spec, SqlDialect.DuckDb, BatchRelation);
            Execute(connection, batch == 0 ? $"CREATE OR REPLACE TEMP TABLE {table}_batches AS {sql}" : $"INSERT INTO {table}_batches {sql}");
        }

        Normalized(table, $"SELECT * FROM {table}_batches");
    }

    /// <summary>How many batches <see cref="Compute"/> splits the groups into: one unless there are groups, a holistic measure and many rows.</summary>
    private int BatchCount()
    {
        if (spec.GroupBy.Count == 0 || !spec.Measures.Any(AggregationSqlCompiler.IsHolistic))
        {
            return 1;
        }

        // All curated rows (the Parquet footers' counts, no scan): an upper bound for the affected groups' rows too.
        var rows = ScalarInt64(connection, $"SELECT count(*) FROM {AggregationSqlCompiler.SourceRelation}");
        var perBatch = Math.Max(1, rowsPerBatch);
        return (int)Math.Clamp(rows / perBatch + (rows % perBatch == 0 ? 0 : 1), 1, MaxBatches);
    }

    private void CreateCurated(IReadOnlyList<string> files, DeltaSchema schema) =>
        Execute(connection, $"CREATE OR REPLACE TEMP VIEW {AggregationSqlCompiler.SourceRelation} AS SELECT * FROM {DuckDbTables.Relation(files, schema)}");

    /// <summary>
    /// The query's result with types Delta (and Spark) read the same way: HUGEINT sums as BIGINT (Spark's sum of
    /// integers), timestamps as TIMESTAMPTZ (a Delta timestamp is a UTC instant), small and unsigned integers widened.
    /// </summary>
    private void Normalized(string table, string sql)
    {
        Execute(connection, $"CREATE OR REPLACE TEMP TABLE {table}_raw AS {sql}");
        var columns = Columns($"{table}_raw").Select(c =>
        {
            var target = c.Type is "HUGEINT" ? "BIGINT" : DeltaTypes.FromDuckDb(c.Type) is { } delta ? DuckDbTables.DuckDbType(delta)
                : throw new NotSupportedException($"aggregate column '{c.Name}' has DuckDB type {c.Type}, which has no Delta type");
            return target == c.Type ? Identifier(c.Name) : $"CAST({Identifier(c.Name)} AS {target}) AS {Identifier(c.Name)}";
        });
        Execute(connection, $"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {string.Join(", ", columns)} FROM {table}_raw");
    }

    private List<(string Name, string Type)> Columns(string relation)
    {
        var columns = new List<(string, string)>();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT column_name, column_type FROM (DESCRIBE {relation})";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            columns.Add((reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }
}
