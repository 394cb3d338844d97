using System.Data.Common;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing.Text;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Validates one local chunk against its dataset schema with DuckDB and writes the valid rows as curated
/// Parquet and every invalid row, with its position, original text and reasons, as JSON lines. Every record
/// lands exactly once: a C# pre-pass numbers the records (true line numbers, blank lines skipped, malformed
/// records rejected), DuckDB parses and validates them, and the two are reconciled before anything is counted.
/// </summary>
public sealed class DuckDbChunkProcessor
{
    private const string LineSeparatorOnly = "\u001f";

    /// <summary>Longest record DuckDB's CSV reader accepts; a longer one is rejected with DuckDB's reason, not lost.</summary>
    private const int MaxLineBytes = 8 << 20;

    /// <param name="memoryLimit">DuckDB spills to <paramref name="workDirectory"/> beyond this, so memory follows chunk size.</param>
    public ChunkOutcome Process(LocalChunk chunk, DatasetDefinition dataset, string curatedPath, string rejectedPath, string workDirectory, string memoryLimit = "512MB")
    {
        if (chunk.FileOffset == 0 && new FileInfo(chunk.LocalPath).Length == 0)
        {
            return ChunkOutcome.Unreadable("the file is empty");
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, $"SET threads = 2; SET memory_limit = {Literal(memoryLimit)}; SET temp_directory = {Literal(workDirectory)}; SET preserve_insertion_order = true;");

        try
        {
            return chunk.Format switch
            {
                DataFormats.Csv or DataFormats.JsonLines => ProcessText(connection, chunk, dataset, curatedPath, rejectedPath, workDirectory),
                DataFormats.Parquet => ProcessParquet(connection, chunk, dataset, curatedPath, rejectedPath),
                _ => ChunkOutcome.Unreadable($"format '{chunk.Format}' is not supported"),
            };
        }
        catch (DbException ex)
        {
            return ChunkOutcome.Unreadable($"not a readable {chunk.Format} file: {FirstLine(ex.Message)}");
        }
    }

    private static ChunkOutcome ProcessText(DuckDBConnection connection, LocalChunk chunk, DatasetDefinition dataset, string curatedPath, string rejectedPath, string workDirectory)
    {
        var isCsv = chunk.Format == DataFormats.Csv;
        var csv = dataset.Input.Csv;
        var schema = dataset.Schema.Columns;
        var quote = csv.Quote.Length == 1 ? csv.Quote[0] : (char?)null;
        var headerInChunk = isCsv && csv.Header && chunk.Header is null;
        IReadOnlyList<string> ColumnsOf(string? headerInFile) => !isCsv ? ["line"]
            : csv.Header ? CsvHeader.Split(chunk.Header ?? headerInFile ?? string.Empty, csv.Delimiter[0], quote)
            : schema.Select(c => c.Name).ToList();

        var pre = TextPrepass.Run(chunk, TextDialect.Of(dataset, chunk.Format), headerInChunk, ColumnsOf, Path.Combine(workDirectory, "clean." + chunk.Format));
        if (pre.DataRecords == 0 && chunk.Rows is null)
        {
            return ChunkOutcome.Unreadable("the file has no data records");
        }

        var fileColumns = pre.Columns;
        if (isCsv)
        {
            var problem = CheckColumns(fileColumns, dataset, csv.Header);
            if (problem is not null)
            {
                return ChunkOutcome.Unreadable(problem);
            }
        }

        string Raw(ColumnSpec c) => !isCsv
            ? $"CASE WHEN __is_object THEN json_extract_string(__line, {Literal("$." + JsonKey(c.Name))}) END"
            : fileColumns.Contains(c.Name) ? Identifier(c.Name) : "CAST(NULL AS VARCHAR)";

        var rawColumns = string.Join(", ", schema.Select(c => $"{Raw(c)} AS {Identifier("raw:" + c.Name)}"));
        var extra = new List<string>();
        string source;
        if (isCsv)
        {
            source = pre.Kept.Count == 0
                ? $"(SELECT {string.Join(", ", fileColumns.Select(c => $"NULL::VARCHAR AS {Identifier(c)}"))} WHERE false)"
                : $"read_csv({Literal(pre.ReadPath)}, header = {(pre.ReadHasHeaderLine ? "true" : "false")}, auto_detect = false, " +
                  $"columns = {{{string.Join(", ", fileColumns.Select(c => $"{Literal(c)}: 'VARCHAR'"))}}}, " +
                  $"delim = {Literal(csv.Delimiter)}, quote = {Literal(csv.Quote)}, escape = {Literal(csv.Quote)}, " +
                  $"nullstr = {List(csv.NullStrings)}, max_line_size = {MaxLineBytes}, store_rejects = true, rejects_scan = 'csv_scan', rejects_table = 'csv_errors')";
        }
        else
        {
            var lines = pre.Kept.Count == 0
                ? "(SELECT NULL::VARCHAR AS line WHERE false)"
                : $"read_csv({Literal(pre.ReadPath)}, columns = {{'line': 'VARCHAR'}}, header = false, auto_detect = false, " +
                  $"delim = {Literal(LineSeparatorOnly)}, quote = '', escape = '', strict_mode = false)";
            source = $"(SELECT __line, coalesce(CASE WHEN json_valid(__line) THEN json_type(__line) = 'OBJECT' ELSE false END, false) AS __is_object FROM (SELECT rtrim(line, chr(13)) AS __line FROM {lines}))";
            if (dataset.Schema.UnknownColumns == UnknownColumnPolicy.Reject)
            {
                var known = List(schema.Select(c => c.Name));
                extra.Add($"CASE WHEN __is_object AND len(list_filter(json_keys(__line), k -> NOT list_contains({known}, k))) > 0 " +
                          $"THEN 'unknown columns: ' || array_to_string(list_filter(json_keys(__line), k -> NOT list_contains({known}, k)), ', ') END");
            }
        }

        // A line that is not a JSON object has one problem; its columns' checks would only repeat it.
        var reasonsSql = ValidationSqlBuilder.ReasonsExpression(schema, Raw, rawIsText: true, extra);
        if (!isCsv)
        {
            reasonsSql = $"CASE WHEN __is_object THEN {reasonsSql} ELSE ['line is not a JSON object'] END";
        }

        Execute(connection, $"""
            CREATE TEMP TABLE validated AS
            SELECT row_number() OVER () AS __ord, {rawColumns},
                   {reasonsSql} AS __reasons
            FROM {source}
            """);

        // Rows DuckDB's CSV reader refused (e.g. invalid UTF-8): found by the byte offset of their record.
        var refused = new SortedDictionary<int, string>();
        if (isCsv && pre.Kept.Count > 0)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT byte_position, string_agg(error_message, '; ') FROM csv_errors GROUP BY byte_position";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var index = pre.Kept.IndexContainingReadOffset(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
                if (index < 0)
                {
                    throw new InvalidOperationException($"DuckDB refused a row at byte {reader.GetValue(0)} that is not inside a kept record; the chunk cannot be accounted for.");
                }

                refused[index] = FirstLine(reader.GetString(1));
            }
        }

        var parsed = Count(connection, "SELECT count(*) FROM validated");
        if (parsed + refused.Count != pre.Kept.Count)
        {
            throw new InvalidOperationException($"DuckDB read {parsed} rows and refused {refused.Count} of the {pre.Kept.Count} records the pre-pass kept; the chunk cannot be accounted for.");
        }

        var curated = WriteCurated(connection, schema, curatedPath, rawIsText: true);

        // DuckDB's n-th row is the n-th kept record that it did not refuse.
        var rejects = new List<(long Record, long? Line, long Offset, int Length, IReadOnlyList<string> Reasons)>();
        rejects.AddRange(pre.Rejects.Select(r => (r.Record, (long?)r.Line, r.Offset, r.Length, (IReadOnlyList<string>)[r.Reason])));
        foreach (var (index, message) in refused)
        {
            rejects.Add((pre.Kept.Record(index), pre.Kept.Line(index), pre.Kept.Offset(index), pre.Kept.Length(index), [$"unreadable record: {message}"]));
        }

        var refusedIndexes = refused.Keys.ToList();
        foreach (var (ordinal, reasons) in InvalidRows(connection))
        {
            var index = KeptIndexOfRow(ordinal, refusedIndexes);
            rejects.Add((pre.Kept.Record(index), pre.Kept.Line(index), pre.Kept.Offset(index), pre.Kept.Length(index), reasons));
        }

        if (rejects.Count > 0)
        {
            using var writer = new RejectedRowWriter(rejectedPath);
            foreach (var r in rejects.OrderBy(r => r.Record))
            {
                writer.Write(new RejectedRow(chunk.SourceName, r.Line, r.Record, TextPrepass.ReadText(chunk, r.Offset, r.Length), r.Reasons));
            }
        }

        return new ChunkOutcome(curated + rejects.Count, curated, rejects.Count);
    }

    private static ChunkOutcome ProcessParquet(DuckDBConnection connection, LocalChunk chunk, DatasetDefinition dataset, string curatedPath, string rejectedPath)
    {
        var fileColumns = Describe(connection, $"SELECT * FROM read_parquet({Literal(chunk.LocalPath)})");
        var problem = CheckColumns(fileColumns, dataset, header: true);
        if (problem is not null)
        {
            return ChunkOutcome.Unreadable(problem);
        }

        var schema = dataset.Schema.Columns;
        string Raw(ColumnSpec c) => fileColumns.Contains(c.Name) ? Identifier(c.Name) : "NULL";
        var original = $"CAST(to_json(struct_pack({string.Join(", ", fileColumns.Select(c => $"{Identifier(c)} := {Identifier(c)}"))})) AS VARCHAR)";
        var first = chunk.FirstRecord - 1;
        var rows = chunk.Rows is { } count ? $"WHERE file_row_number >= {first} AND file_row_number < {first + count}" : string.Empty;
        Execute(connection, $"""
            CREATE TEMP TABLE validated AS
            SELECT file_row_number + 1 AS __ord, {original} AS __original,
                   {string.Join(", ", schema.Select(c => $"{Raw(c)} AS {Identifier("raw:" + c.Name)}"))},
                   {ValidationSqlBuilder.ReasonsExpression(schema, Raw, rawIsText: false, [])} AS __reasons
            FROM read_parquet({Literal(chunk.LocalPath)}, file_row_number = true) {rows}
            """);

        var curated = WriteCurated(connection, schema, curatedPath, rawIsText: !HasTypedColumns(connection));
        long rejected = 0;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT __ord, __original, __reasons FROM validated WHERE len(__reasons) > 0 ORDER BY __ord";
            using var reader = command.ExecuteReader();
            RejectedRowWriter? writer = null;
            try
            {
                while (reader.Read())
                {
                    writer ??= new RejectedRowWriter(rejectedPath);
                    writer.Write(new RejectedRow(chunk.SourceName, null, reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<List<string>>(2)));
                    rejected++;
                }
            }
            finally
            {
                writer?.Dispose();
            }
        }

        return new ChunkOutcome(curated + rejected, curated, rejected);
    }

    /// <summary>Streams the valid rows, typed, in file order, to Parquet; returns how many there were.</summary>
    private static long WriteCurated(DuckDBConnection connection, IReadOnlyList<ColumnSpec> schema, string curatedPath, bool rawIsText)
    {
        var typed = string.Join(", ", schema.Select(c =>
            $"{ValidationSqlBuilder.TypedExpression(c, Identifier("raw:" + c.Name), rawIsText)} AS {Identifier(c.Name)}"));
        Execute(connection, $"COPY (SELECT {typed} FROM validated WHERE len(__reasons) = 0 ORDER BY __ord) TO {Literal(curatedPath)} (FORMAT parquet, COMPRESSION zstd)");
        return Count(connection, "SELECT count(*) FROM validated WHERE len(__reasons) = 0");
    }

    private static IEnumerable<(long Ordinal, List<string> Reasons)> InvalidRows(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT __ord, __reasons FROM validated WHERE len(__reasons) > 0 ORDER BY __ord";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetInt64(0), reader.GetFieldValue<List<string>>(1));
        }
    }

    /// <summary>The kept record behind DuckDB's row <paramref name="ordinal"/> (1-based), skipping the records DuckDB refused.</summary>
    private static int KeptIndexOfRow(long ordinal, List<int> refusedIndexes)
    {
        var index = (int)(ordinal - 1);
        foreach (var refused in refusedIndexes)
        {
            if (refused <= index)
            {
                index++;
            }
            else
            {
                break;
            }
        }

        return index;
    }

    /// <summary>A file that lacks a required column, or has columns the schema rejects, is a file-level problem.</summary>
    private static string? CheckColumns(IReadOnlyList<string> fileColumns, DatasetDefinition dataset, bool header)
    {
        var schema = dataset.Schema.Columns;
        if (!header)
        {
            return null;
        }

        if (fileColumns.Count == 1 && fileColumns[0].Length == 0)
        {
            return "the file has no header line";
        }

        var duplicated = fileColumns.GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicated.Count > 0)
        {
            return $"the header names a column twice: {string.Join(", ", duplicated)}";
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
