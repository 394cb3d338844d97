using System.Data.Common;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Datasets;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Validates one local chunk against its dataset schema with DuckDB and writes the valid rows as curated
/// Parquet and every invalid row, with its position and reasons, as JSON lines. Every row lands exactly once.
/// </summary>
public sealed class DuckDbChunkProcessor
{
    private const string LineSeparatorOnly = "\u001f";

    /// <param name="memoryLimit">DuckDB spills to <paramref name="workDirectory"/> beyond this, so memory follows chunk size.</param>
    public ChunkOutcome Process(LocalChunk chunk, DatasetDefinition dataset, string curatedPath, string rejectedPath, string workDirectory, string memoryLimit = "512MB")
    {
        if (new FileInfo(chunk.LocalPath).Length == 0)
        {
            return ChunkOutcome.Unreadable("the file is empty");
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, $"SET threads = 2; SET memory_limit = {Literal(memoryLimit)}; SET temp_directory = {Literal(workDirectory)}; SET preserve_insertion_order = true;");

        try
        {
            var problem = chunk.Format switch
            {
                DataFormats.Csv => StageCsv(connection, chunk, dataset),
                DataFormats.JsonLines => StageJsonLines(connection, chunk, dataset),
                DataFormats.Parquet => StageParquet(connection, chunk, dataset),
                _ => $"format '{chunk.Format}' is not supported",
            };
            if (problem is not null)
            {
                return ChunkOutcome.Unreadable(problem);
            }

            return WriteOutputs(connection, dataset, curatedPath, rejectedPath);
        }
        catch (DbException ex)
        {
            return ChunkOutcome.Unreadable($"not a readable {chunk.Format} file: {FirstLine(ex.Message)}");
        }
    }

    private static string? StageCsv(DuckDBConnection connection, LocalChunk chunk, DatasetDefinition dataset)
    {
        var csv = dataset.Input.Csv;
        var reader = $"read_csv({Literal(chunk.LocalPath)}, all_varchar = true, header = {(csv.Header ? "true" : "false")}, " +
                     $"delim = {Literal(csv.Delimiter)}, quote = {Literal(csv.Quote)}, escape = {Literal(csv.Quote)}, " +
                     $"nullstr = {List(csv.NullStrings)}, store_rejects = true, rejects_scan = 'csv_scan', rejects_table = 'csv_errors')";

        var fileColumns = Describe(connection, $"SELECT * FROM {reader}");
        var schema = dataset.Schema.Columns;
        var problem = CheckColumns(fileColumns, dataset, csv.Header);
        if (problem is not null)
        {
            return problem;
        }

        // Without a header the schema's order is the file's order.
        string Raw(ColumnSpec c) => csv.Header
            ? (fileColumns.Contains(c.Name) ? Identifier(c.Name) : "CAST(NULL AS VARCHAR)")
            : Identifier(fileColumns[IndexOf(schema, c)]);

        var original = $"concat_ws({Literal(csv.Delimiter)}, {string.Join(", ", fileColumns.Select(c => $"coalesce({Identifier(c)}, '')"))})";
        var firstDataLine = csv.Header ? 2 : 1;
        Execute(connection, $"""
            CREATE TEMP TABLE validated AS
            SELECT row_number() OVER () + {chunk.FirstRow - 1} AS __row,
                   {original} AS __original,
                   {string.Join(", ", schema.Select(c => $"{Raw(c)} AS {Identifier("raw:" + c.Name)}"))},
                   {ValidationSqlBuilder.ReasonsExpression(schema, Raw, rawIsText: true, [])} AS __reasons
            FROM {reader}
            """);

        // Lines the CSV reader could not split into the right columns are rows too: they are rejected, not lost.
        Execute(connection, $"""
            CREATE TEMP TABLE unparsed AS
            SELECT DISTINCT line - {firstDataLine - 1} + {chunk.FirstRow - 1} AS __row, csv_line AS __original,
                   ['line ' || line || ': ' || error_message] AS __reasons
            FROM csv_errors
            """);
        return null;
    }

    private static string? StageJsonLines(DuckDBConnection connection, LocalChunk chunk, DatasetDefinition dataset)
    {
        // Each line is read as text first, so a malformed line is kept, with its number, as a rejected row.
        var lines = $"read_csv({Literal(chunk.LocalPath)}, columns = {{'line': 'VARCHAR'}}, header = false, auto_detect = false, " +
                    $"delim = {Literal(LineSeparatorOnly)}, quote = '', escape = '', new_line = '\\n', strict_mode = false)";
        var schema = dataset.Schema.Columns;
        string Raw(ColumnSpec c) => $"CASE WHEN __is_object THEN json_extract_string(__line, {Literal("$." + JsonKey(c.Name))}) END";

        var known = List(schema.Select(c => c.Name));
        var extra = new List<string> { "CASE WHEN NOT __is_object THEN 'line is not a JSON object' END" };
        if (dataset.Schema.UnknownColumns == UnknownColumnPolicy.Reject)
        {
            extra.Add($"CASE WHEN __is_object AND len(list_filter(json_keys(__line), k -> NOT list_contains({known}, k))) > 0 " +
                      $"THEN 'unknown columns: ' || array_to_string(list_filter(json_keys(__line), k -> NOT list_contains({known}, k)), ', ') END");
        }

        Execute(connection, $"""
            CREATE TEMP TABLE validated AS
            WITH numbered AS (
                SELECT row_number() OVER () + {chunk.FirstRow - 1} AS __row, rtrim(line, chr(13)) AS __line FROM {lines}
            ), parsed AS (
                SELECT __row, __line, coalesce(json_valid(__line) AND json_type(__line) = 'OBJECT', false) AS __is_object
                FROM numbered WHERE trim(__line) <> ''
            )
            SELECT __row, __line AS __original,
                   {string.Join(", ", schema.Select(c => $"{Raw(c)} AS {Identifier("raw:" + c.Name)}"))},
                   {ValidationSqlBuilder.ReasonsExpression(schema, Raw, rawIsText: true, extra)} AS __reasons
            FROM parsed
            """);
        Execute(connection, "CREATE TEMP TABLE unparsed AS SELECT 0::BIGINT AS __row, ''::VARCHAR AS __original, []::VARCHAR[] AS __reasons WHERE false");
        return null;
    }

    private static string? StageParquet(DuckDBConnection connection, LocalChunk chunk, DatasetDefinition dataset)
    {
        var reader = $"read_parquet({Literal(chunk.LocalPath)})";
        var fileColumns = Describe(connection, $"SELECT * FROM {reader}");
        var problem = CheckColumns(fileColumns, dataset, header: true);
        if (problem is not null)
        {
            return problem;
        }

        var schema = dataset.Schema.Columns;
        string Raw(ColumnSpec c) => fileColumns.Contains(c.Name) ? Identifier(c.Name) : "NULL";
        var original = $"CAST(to_json(struct_pack({string.Join(", ", fileColumns.Select(c => $"{Identifier(c)} := {Identifier(c)}"))})) AS VARCHAR)";
        Execute(connection, $"""
            CREATE TEMP TABLE validated AS
            SELECT row_number() OVER () + {chunk.FirstRow - 1} AS __row, {original} AS __original,
                   {string.Join(", ", schema.Select(c => $"{Raw(c)} AS {Identifier("raw:" + c.Name)}"))},
                   {ValidationSqlBuilder.ReasonsExpression(schema, Raw, rawIsText: false, [])} AS __reasons
            FROM {reader}
            """);
        Execute(connection, "CREATE TEMP TABLE unparsed AS SELECT 0::BIGINT AS __row, ''::VARCHAR AS __original, []::VARCHAR[] AS __reasons WHERE false");
        return null;
    }

    private static ChunkOutcome WriteOutputs(DuckDBConnection connection, DatasetDefinition dataset, string curatedPath, string rejectedPath)
    {
        var schema = dataset.Schema.Columns;
        var rawIsText = !HasTypedColumns(connection);
        var typed = string.Join(", ", schema.Select(c =>
            $"{ValidationSqlBuilder.TypedExpression(c, Identifier("raw:" + c.Name), rawIsText)} AS {Identifier(c.Name)}"));

        Execute(connection, $"COPY (SELECT {typed} FROM validated WHERE len(__reasons) = 0 ORDER BY __row) TO {Literal(curatedPath)} (FORMAT parquet, COMPRESSION zstd)");

        var curated = Count(connection, "SELECT count(*) FROM validated WHERE len(__reasons) = 0");
        var rejected = Count(connection, "SELECT count(*) FROM validated WHERE len(__reasons) > 0") + Count(connection, "SELECT count(*) FROM unparsed");
        if (rejected > 0)
        {
            Execute(connection, $"""
                COPY (
                    SELECT __row AS row, __original AS original, __reasons AS reasons FROM validated WHERE len(__reasons) > 0
                    UNION ALL
                    SELECT __row, __original, __reasons FROM unparsed
                    ORDER BY row
                ) TO {Literal(rejectedPath)} (FORMAT json)
                """);
        }

        return new ChunkOutcome(curated + rejected, curated, rejected);
    }

    /// <summary>A file that lacks a required column, or has columns the schema rejects, is a file-level problem.</summary>
    private static string? CheckColumns(IReadOnlyList<string> fileColumns, DatasetDefinition dataset, bool header)
    {
        var schema = dataset.Schema.Columns;
        if (!header)
        {
            return fileColumns.Count < schema.Count
                ? $"has {fileColumns.Count} columns, the schema declares {schema.Count}"
                : null;
        }

        var missing = schema.Where(c => c.Required && !fileColumns.Contains(c.Name)).Select(c => c.Name).ToList();
        if (missing.Count > 0)
        {
            return $"missing required columns: {string.Join(", ", missing)}";
        }

        var unknown = fileColumns.Where(f => schema.All(c => c.Name != f)).ToList();
        return unknown.Count > 0 && dataset.Schema.UnknownColumns == UnknownColumnPolicy.Reject
            ? $"unknown columns: {string.Join(", ", unknown)}"
            : null;
    }

    private static bool HasTypedColumns(DuckDBConnection connection)
    {
        var types = new List<string>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT data_type FROM information_schema.columns WHERE table_name = 'validated' AND column_name LIKE 'raw:%'";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            types.Add(reader.GetString(0));
        }

        return types.Any(t => t != "VARCHAR");
    }

    private static List<string> Describe(DuckDBConnection connection, string query)
    {
        var names = new List<string>();
        using var command = connection.CreateCommand();
        command.CommandText = $"DESCRIBE {query}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static int IndexOf(IReadOnlyList<ColumnSpec> schema, ColumnSpec column)
    {
        for (var i = 0; i < schema.Count; i++)
        {
            if (ReferenceEquals(schema[i], column))
            {
                return i;
            }
        }

        throw new InvalidOperationException(column.Name);
    }

    private static string JsonKey(string name) => name.All(ch => char.IsLetterOrDigit(ch) || ch == '_') ? name : $"\"{name}\"";

    private static long Count(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n');
        return (end > 0 ? message[..end] : message).Trim();
    }
}
