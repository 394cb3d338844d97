using System.Data.Common;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing.FastPath;
using Tributary.Orchestrations.Processing.Text;
using static Tributary.Orchestrations.Processing.DuckDbCommands;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Validates one local chunk against its dataset schema with DuckDB and writes the valid rows as curated
/// Parquet and every invalid row, with its position, original text and reasons, as JSON lines. Every record
/// lands exactly once: a C# pre-pass numbers the records (true line numbers, blank lines skipped, malformed
/// records rejected), DuckDB parses and validates them, and the two are reconciled before anything is counted.
/// For CSV, records the C# fast path finds plainly valid skip the text validation and go through DuckDB's typed
/// reader straight to Parquet; only the rest (invalid or unusually spelled, ~2% of real files) is validated as text.
/// </summary>
/// <param name="fastPath">
/// On by default. Off, every record takes DuckDB's text validation; both give the same curated values and the same
/// rejects (a property test compares them), the fast path at about twice the speed (bench/README.md).
/// </param>
public sealed class DuckDbChunkProcessor(bool fastPath = true)
{
    /// <summary>Whether plainly valid CSV records take the fast path (see the constructor).</summary>
    internal bool FastPath => fastPath;

    /// <summary>DuckDB's buffer pool per chunk: a 64 MB CSV chunk's typed rows (~100 MB) fit, larger chunks spill to the work directory.</summary>
    public const string DefaultMemoryLimit = "200MB";

    private const string LineSeparatorOnly = "\u001f";

    /// <summary>
    /// Longest record DuckDB's CSV reader is asked to accept: the dataset's input.maxLineBytes, which the pre-pass enforces
    /// (a longer record is rejected there with a reason naming the limit). DuckDB's read buffer is 2 × that: by default it
    /// is 16 × the longest line, which alone would exceed a small memory limit.
    /// </summary>
    internal static int MaxLineBytes(DatasetDefinition dataset) => Math.Max(dataset.Input.MaxLineBytes, 1024);

    /// <param name="memoryLimit">DuckDB spills to <paramref name="workDirectory"/> beyond this, so memory follows chunk size.</param>
    public ChunkOutcome Process(LocalChunk chunk, DatasetDefinition dataset, string curatedPath, string rejectedPath, string workDirectory, string memoryLimit = DefaultMemoryLimit, int threads = 2)
    {
        if (chunk.FileOffset == 0 && new FileInfo(chunk.LocalPath).Length == 0)
        {
            return ChunkOutcome.Unreadable("the file is empty");
        }

        try
        {
            return Process(chunk, dataset, curatedPath, rejectedPath, workDirectory, memoryLimit, threads, fastPath);
        }
        catch (FastPathRefusedException)
        {
            // DuckDB's typed reader refused a record the fast path passed: nothing is lost, the chunk is redone on DuckDB's path.
            return Process(chunk, dataset, curatedPath, rejectedPath, workDirectory, memoryLimit, threads, useFastPath: false);
        }
        catch (Compression.UnreadableInputException ex)
        {
            return ChunkOutcome.Unreadable(ex.Message);
        }
    }

    private static ChunkOutcome Process(LocalChunk chunk, DatasetDefinition dataset, string curatedPath, string rejectedPath, string workDirectory, string memoryLimit, int threads, bool useFastPath)
    {
        using var loan = DuckDbDatabases.Shared.Borrow(threads, memoryLimit, spillDirectory: workDirectory, inputBytes: new FileInfo(chunk.LocalPath).Length);
        var connection = loan.Connection;
        // TimeZone UTC: curated timestamps are UTC instants, so the cast to TIMESTAMPTZ at the write must not shift them.
        Execute(connection, "SET preserve_insertion_order = true; SET TimeZone = 'UTC';");

        try
        {
            return chunk.Format switch
            {
                DataFormat.Csv or DataFormat.JsonLines => ProcessText(connection, chunk, dataset, curatedPath, rejectedPath, workDirectory, useFastPath),
                DataFormat.Parquet => ProcessParquet(connection, chunk, dataset, curatedPath, rejectedPath),
                _ => ChunkOutcome.Unreadable($"format '{chunk.Format.Name()}' is not supported"),
            };
        }
        catch (DbException ex) when (!WorkDiskFullException.Is(ex))
        {
            // A full work disk is not the file's fault: it propagates (see WorkDiskFullException) instead of quarantining.
            return ChunkOutcome.Unreadable($"not a readable {chunk.Format.Name()} file: {FirstLine(ex.Message)}");
        }
    }

    private static ChunkOutcome ProcessText(DuckDBConnection connection, LocalChunk chunk, DatasetDefinition dataset, string curatedPath, string rejectedPath, string workDirectory, bool useFastPath)
    {
        var isCsv = chunk.Format == DataFormat.Csv;
        var csv = dataset.Input.Csv;
        var schema = dataset.Schema.Columns;
        var zones = new ZoneOffsets(connection);
        var pre = Prepass(chunk, dataset, zones, useFastPath, workDirectory);
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

        // A JSON line's values come as one list in schema order (see Source), so column i is __values[i + 1].
        string Raw(ColumnSpec c, int index) => !isCsv
            ? $"__values[{index + 1}]"
            : fileColumns.Contains(c.Name) ? Identifier(c.Name) : "CAST(NULL AS VARCHAR)";

        string Source()
        {
            if (isCsv)
            {
                return pre.Kept.Count == 0
                    ? $"(SELECT {string.Join(", ", fileColumns.Select(c => $"NULL::VARCHAR AS {Identifier(c)}"))} WHERE false)"
                    // A copy's records all end with LF; said explicitly, a CRLF inside a quoted field cannot mislead DuckDB's newline detection.
                    : CsvTextSource(Literal(pre.ReadPath), pre.ReadHasHeaderLine, fileColumns, dataset, newLineIsLf: pre.ReadPath != chunk.LocalPath);
            }

            var lines = pre.Kept.Count == 0
                ? "(SELECT NULL::VARCHAR AS line WHERE false)"
                : $"read_csv({Literal(pre.ReadPath)}, columns = {{'line': 'VARCHAR'}}, header = false, auto_detect = false, " +
                  $"delim = {Literal(LineSeparatorOnly)}, quote = '', escape = '', strict_mode = false, " +
                  $"max_line_size = {MaxLineBytes(dataset)}, buffer_size = {2 * MaxLineBytes(dataset)})";
            // Every column's raw value from one parse of the line (a list of paths): one json_extract_string per column
            // parsed the line once per column, and DuckDB inlined the line's checks into each (JSON lines chunks cost 2.3x CSV's).
            var paths = List(schema.Select(c => JsonPath(c.Name)));
            return $"(SELECT __line, __is_object, CASE WHEN __is_object THEN json_extract_string(__line, {paths}) END AS __values FROM " +
                   $"(SELECT __line, coalesce(CASE WHEN json_valid(__line) THEN json_type(__line) = 'OBJECT' ELSE false END, false) AS __is_object FROM (SELECT rtrim(line, chr(13)) AS __line FROM {lines})))";
        }

        var extra = new List<ValidationSqlBuilder.Check>();
        if (!isCsv && dataset.Schema.UnknownColumns == UnknownColumnPolicy.Reject)
        {
            var known = List(schema.Select(c => c.Name));
            extra.Add(new ValidationSqlBuilder.Check(
                $"__is_object AND len(list_filter(json_keys(__line), k -> NOT list_contains({known}, k))) > 0",
                $"'unknown columns: ' || array_to_string(list_filter(json_keys(__line), k -> NOT list_contains({known}, k)), ', ')"));
        }

        if (!isCsv)
        {
            // A nested object or array is no scalar value, whatever the column's type (a string column would otherwise
            // keep its JSON text). Only a raw value that starts like one is asked for its JSON type (CASE short-circuits).
            foreach (var c in schema)
            {
                extra.Add(new ValidationSqlBuilder.Check(
                    $"CASE WHEN NOT __is_object THEN false WHEN NOT coalesce(starts_with({RawColumn(c)}, '{{') OR starts_with({RawColumn(c)}, '['), false) THEN false " +
                    $"ELSE coalesce(json_type(__line, {Literal(JsonPath(c.Name))}) IN ('OBJECT', 'ARRAY'), false) END",
                    Literal($"{c.Name}: a nested JSON object or array is not a scalar value")));
            }
        }

        // The raw values once, then the typed values once, then the validity of each row from those columns.
        var source = Source();
        var rawColumns = string.Join(", ", schema.Select((c, i) => $"{Raw(c, i)} AS {RawColumn(c)}"));
        var rows = ValidatedRows(
            $"SELECT {rawColumns}{(isCsv ? string.Empty : ", __line, __is_object")} FROM {source}", schema, rawIsText: true, extra, isCsv ? null : "__is_object");

        // A line that is not a JSON object has one problem; its columns' checks would only repeat it.
        var reasonsSql = ValidationSqlBuilder.ReasonsExpression(schema, RawColumn, rawIsText: true, extra);
        if (!isCsv)
        {
            reasonsSql = $"CASE WHEN __is_object THEN {reasonsSql} ELSE ['line is not a JSON object'] END";
        }

        // Filters must stay where they are written: pushed down, they would inline (and repeat) the typed values.
        Execute(connection, "SET disabled_optimizers = 'filter_pushdown'");

        var typed = string.Join(", ", schema.Select(c => $"{CuratedValue(c, zones, pre.Kept.Count)} AS {Identifier(c.Name)}"));
        // One pass over the chunk into a typed table; only the invalid rows (few) get their reasons built and kept.
        // The table's row ids follow the reading order (insertion order is preserved), as the chunk's records do.
        Execute(connection, $"CREATE TEMP TABLE validated AS SELECT {typed}, CASE WHEN __valid THEN NULL ELSE {reasonsSql} END AS __reasons FROM ({rows})");
        var invalid = new List<(long Ordinal, List<string> Reasons)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT rowid + 1, __reasons FROM validated WHERE __reasons IS NOT NULL ORDER BY rowid";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                invalid.Add((reader.GetInt64(0), reader.GetFieldValue<List<string>>(1)));
            }
        }

        // One writer thread: with two, keeping insertion order makes DuckDB buffer whole row groups out of order
        // (~150 MB more for a 64 MB chunk); the typed rows are already computed, so writing them is the cheap part.
        Execute(connection, "SET threads = 1");
        var curatedColumns = string.Join(", ", schema.Select(c => Identifier(c.Name)));
        var validRows = $"SELECT {curatedColumns} FROM validated WHERE __reasons IS NULL";
        // Curated rows: the fast path's records first (DuckDB's typed reader, at its own speed), then the rest that passed validation.
        long curated;
        if (pre.FastReadPath is { } fastRead && pre.FastRecords > 0)
        {
            curated = ScalarInt64(connection, $"SELECT count(*) FROM ({validRows})");
            long written;
            try
            {
                written = Execute(connection, $"COPY ({AsStored(schema, $"SELECT {FastColumns(schema, fileColumns)} FROM {FastSource(Literal(fastRead), fileColumns, dataset)} UNION ALL {validRows}")}) TO {Literal(curatedPath)} (FORMAT parquet, COMPRESSION zstd)");
            }
            catch (DbException ex)
            {
                throw new FastPathRefusedException(ex);
            }

            if (written - curated != pre.FastRecords)
            {
                throw new InvalidOperationException($"DuckDB's typed reader read {written - curated} of the {pre.FastRecords} records the fast path passed; the chunk cannot be accounted for.");
            }
        }
        else
        {
            curated = Execute(connection, $"COPY ({AsStored(schema, validRows)}) TO {Literal(curatedPath)} (FORMAT parquet, COMPRESSION zstd)");
        }

        Execute(connection, "DROP TABLE validated");

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

        var parsed = curated + invalid.Count;
        if (parsed + refused.Count != pre.Kept.Count)
        {
            throw new InvalidOperationException($"DuckDB read {parsed} rows and refused {refused.Count} of the {pre.Kept.Count} records the pre-pass kept; the chunk cannot be accounted for.");
        }

        var rejected = WriteRejects(chunk, pre, refused, invalid, rejectedPath, MaxLineBytes(dataset));
        curated += pre.FastRecords;
        return new ChunkOutcome(curated + rejected, curated, rejected);
    }

    /// <summary>The C# pre-pass over a staged text chunk (and, for CSV with <paramref name="useFastPath"/>, its fast path), its copies in <paramref name="workDirectory"/>.</summary>
    internal static TextPrepass Prepass(LocalChunk chunk, DatasetDefinition dataset, ZoneOffsets zones, bool useFastPath, string workDirectory)
    {
        var isCsv = chunk.Format == DataFormat.Csv;
        var csv = dataset.Input.Csv;
        var quote = csv.Quote.Length == 1 ? csv.Quote[0] : (char?)null;
        var headerInChunk = isCsv && csv.Header && chunk.Header is null;
        IReadOnlyList<string> ColumnsOf(string? headerInFile) => !isCsv ? ["line"]
            : csv.Header ? CsvHeader.Split(chunk.Header ?? headerInFile ?? string.Empty, csv.Delimiter[0], quote)
            : dataset.Schema.Columns.Select(c => c.Name).ToList();

        Func<IReadOnlyList<string>, FastCsvPlan?>? fastPlanOf = isCsv && useFastPath ? columns => FastCsvPlan.TryCreate(dataset, columns, zones.OffsetsOf) : null;
        return TextPrepass.Run(chunk, TextDialect.Of(dataset, chunk.Format), headerInChunk, ColumnsOf, Path.Combine(workDirectory, "clean." + chunk.Format),
            fastPlanOf, Path.Combine(workDirectory, "fast.csv"), MaxLineBytes(dataset));
    }

    /// <summary>
    /// Writes a text chunk's rejects in record order: those of the pre-pass, the records DuckDB's reader refused (by kept
    /// index) and the rows validation found invalid (by DuckDB's 1-based row ordinal). Returns how many.
    /// </summary>
    internal static int WriteRejects(LocalChunk chunk, TextPrepass pre, SortedDictionary<int, string> refused, List<(long Ordinal, List<string> Reasons)> invalid, string rejectedPath, int maxLineBytes)
    {
        // DuckDB's n-th row is the n-th kept record that it did not refuse.
        var rejects = new List<(long Record, long? Line, long Offset, int Length, IReadOnlyList<string> Reasons)>(pre.Rejects.Count + refused.Count + invalid.Count);
        rejects.AddRange(pre.Rejects.Select(r => (r.Record, (long?)r.Line, r.Offset, r.Length, (IReadOnlyList<string>)[r.Reason])));
        foreach (var (index, message) in refused)
        {
            rejects.Add((pre.Kept.Record(index), pre.Kept.Line(index), pre.Kept.Offset(index), pre.Kept.Length(index), [$"unreadable record: {message}"]));
        }

        var refusedIndexes = refused.Keys.ToList();
        foreach (var (ordinal, reasons) in invalid)
        {
            var index = KeptIndexOfRow(ordinal, refusedIndexes);
            rejects.Add((pre.Kept.Record(index), pre.Kept.Line(index), pre.Kept.Offset(index), pre.Kept.Length(index), reasons));
        }

        if (rejects.Count > 0)
        {
            // Records are numbered in file order, so their texts are read with one forward pass over the chunk.
            rejects.Sort((a, b) => a.Record.CompareTo(b.Record));
            using var writer = new RejectedRowWriter(rejectedPath);
            using var texts = new RecordTextReader(chunk);
            foreach (var r in rejects)
            {
                writer.Write(new RejectedRow(chunk.SourceName, r.Line, r.Record, texts.Read(r.Offset, r.Length, maxLineBytes), r.Reasons));
            }
        }

        return rejects.Count;
    }

    /// <summary>
    /// DuckDB's CSV reader over <paramref name="paths"/> (a literal or a list of them), every column as text, refused rows
    /// kept in <c>csv_errors</c> (and the files scanned in <c>csv_scan</c>) by their byte position.
    /// </summary>
    /// <param name="extra">More reader options, each starting with ", ".</param>
    internal static string CsvTextSource(string paths, bool header, IReadOnlyList<string> fileColumns, DatasetDefinition dataset, bool newLineIsLf, string extra = "")
    {
        var csv = dataset.Input.Csv;
        return $"read_csv({paths}, header = {(header ? "true" : "false")}, auto_detect = false, " +
               $"columns = {{{string.Join(", ", fileColumns.Select(c => $"{Literal(c)}: 'VARCHAR'"))}}}, " +
               $"delim = {Literal(csv.Delimiter)}, quote = {Literal(csv.Quote)}, escape = {Literal(csv.Quote)}, " +
               $"nullstr = {List(csv.NullStrings)}, max_line_size = {MaxLineBytes(dataset)}, buffer_size = {2 * MaxLineBytes(dataset)}, store_rejects = true, rejects_scan = 'csv_scan', rejects_table = 'csv_errors'" +
               (newLineIsLf ? $", new_line = {Literal(@"\n")}" : string.Empty) + extra + ")";
    }

    /// <summary>
    /// DuckDB's typed CSV reader over the fast path's records: same dialect; times are in the canonical ISO spelling
    /// (<see cref="CanonicalTime"/>), which DuckDB's default cast reads faster than any strptime format.
    /// </summary>
    /// <param name="paths">A literal or a list of them.</param>
    /// <param name="extra">More reader options, each starting with ", ".</param>
    internal static string FastSource(string paths, IReadOnlyList<string> fileColumns, DatasetDefinition dataset, string extra = "")
    {
        var csv = dataset.Input.Csv;
        string TypeOf(string column) => dataset.Schema.Columns.FirstOrDefault(c => c.Name == column) is { } spec ? ColumnType.Parse(spec.Type).DuckDbType : "VARCHAR";
        return $"read_csv({paths}, header = false, auto_detect = false, " +
               $"columns = {{{string.Join(", ", fileColumns.Select(c => $"{Literal(c)}: {Literal(TypeOf(c))}"))}}}, " +
               $"delim = {Literal(csv.Delimiter)}, quote = {Literal(csv.Quote)}, escape = {Literal(csv.Quote)}, nullstr = {List(csv.NullStrings)}, " +
               $"max_line_size = {2 * FastCsvSplit.MaxFastRecordBytes}, buffer_size = {4 * FastCsvSplit.MaxFastRecordBytes}, new_line = {Literal(@"\n")}{extra})";
    }

    /// <summary>The schema's columns from the fast reader, typed as the validated table types them; a column the file lacks is NULL.</summary>
    internal static string FastColumns(IReadOnlyList<ColumnSpec> schema, IReadOnlyList<string> fileColumns) => string.Join(", ", schema.Select(c =>
        fileColumns.Contains(c.Name) ? Identifier(c.Name) : $"CAST(NULL AS {ColumnType.Parse(c.Type).DuckDbType}) AS {Identifier(c.Name)}"));

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
        var range = chunk.Rows is { } count ? $"WHERE file_row_number >= {first} AND file_row_number < {first + count}" : string.Empty;
        var source = $"read_parquet({Literal(chunk.LocalPath)}, file_row_number = true) {range}";
        var rawColumns = string.Join(", ", schema.Select(c => $"{Raw(c)} AS {RawColumn(c)}"));

        // The row range stays pushed down into the scan (only the chunk's row groups are staged), so the typed values
        // may be computed more than once here; typed Parquet costs little to check.
        var rows = ValidatedRows($"SELECT *, file_row_number + 1 AS __ord, {rawColumns} FROM {source}", schema, rawIsText: false, [], null);

        // Parquet whose columns are all text is typed like CSV text; its checks stay those of typed values.
        var curatedRawIsText = Describe(connection, $"SELECT {rawColumns} FROM {source}", type: true).All(t => t == "VARCHAR");
        var typed = string.Join(", ", schema.Select(c =>
            $"{(curatedRawIsText ? ValidationSqlBuilder.TypedExpression(c, RawColumn(c), rawIsText: true) : ParsedColumn(c))} AS {Identifier(c.Name)}"));
        var curated = Execute(connection, $"COPY ({AsStored(schema, $"SELECT {typed} FROM ({rows}) WHERE __valid")}) TO {Literal(curatedPath)} (FORMAT parquet, COMPRESSION zstd)");

        long rejected = 0;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT __ord, {original}, {ValidationSqlBuilder.ReasonsExpression(schema, RawColumn, rawIsText: false, [])} FROM ({rows}) WHERE NOT __valid ORDER BY __ord";
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

    /// <summary>
    /// The curated columns as the Parquet part stores them for the Delta table: a timestamp (a UTC instant) becomes
    /// TIMESTAMPTZ, which DuckDB writes as INT64 micros with isAdjustedToUTC=true, Spark's (protocol 1/2) <c>timestamp</c>;
    /// a plain TIMESTAMP would be written as not adjusted and read as <c>timestamp_ntz</c>. Decimals and dates keep their types.
    /// </summary>
    /// <param name="passThrough">A column of <paramref name="query"/> kept as it is after the curated ones (the pack's file tag).</param>
    internal static string AsStored(IReadOnlyList<ColumnSpec> schema, string query, string? passThrough = null) =>
        $"SELECT {string.Join(", ", schema.Select(c => ColumnType.Parse(c.Type).Kind == ColumnKind.Timestamp
            ? $"CAST({Identifier(c.Name)} AS TIMESTAMPTZ) AS {Identifier(c.Name)}"
            : Identifier(c.Name)))}{(passThrough is null ? string.Empty : $", {passThrough}")} FROM ({query})";

    /// <summary>
    /// The rows of <paramref name="rawQuery"/> (which names each schema column's raw value <see cref="RawColumn"/>) with
    /// each column's parsed value <see cref="ParsedColumn"/> and <c>__valid</c>: true exactly when the row has no reasons.
    /// </summary>
    internal static string ValidatedRows(string rawQuery, IReadOnlyList<ColumnSpec> schema, bool rawIsText, IReadOnlyList<ValidationSqlBuilder.Check> extra, string? rowIsReadable)
    {
        var parsed = string.Join(string.Empty, schema.Select(c => $", {ValidationSqlBuilder.ParsedExpression(c, RawColumn(c), rawIsText)} AS {ParsedColumn(c)}"));
        var valid = ValidationSqlBuilder.ValidExpression(schema, RawColumn, ParsedColumn, extra);
        if (rowIsReadable is not null)
        {
            valid = $"{rowIsReadable} AND {valid}";
        }

        return $"SELECT *, {valid} AS __valid FROM (SELECT *{parsed} FROM ({rawQuery}))";
    }

    /// <summary>
    /// The curated value of a text column: its parsed value, moved from its declared zone to UTC. A few rows (those the
    /// fast path left) go through ICU directly, which costs less than loading the zone's offsets table for them.
    /// </summary>
    internal static string CuratedValue(ColumnSpec column, ZoneOffsets zones, int rows) => !ValidationSqlBuilder.HasTimeZone(column, rawIsText: true)
        ? ParsedColumn(column)
        : rows < IcuRowsAtMost ? ZoneOffsets.IcuToUtc(ParsedColumn(column), column.TimeZone!) : zones.ToUtc(ParsedColumn(column), column.TimeZone!);

    /// <summary>Above this many rows, the per-day offsets table is cheaper than ICU per row (~10 ms to load, ~1 µs per ICU call).</summary>
    private const int IcuRowsAtMost = 10_000;

    internal static string RawColumn(ColumnSpec column) => Identifier("raw:" + column.Name);

    internal static string ParsedColumn(ColumnSpec column) => Identifier("parsed:" + column.Name);

    /// <summary>The kept record behind DuckDB's row <paramref name="ordinal"/> (1-based), skipping the records DuckDB refused.</summary>
    internal static int KeptIndexOfRow(long ordinal, List<int> refusedIndexes)
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
    internal static string? CheckColumns(IReadOnlyList<string> fileColumns, DatasetDefinition dataset, bool header)
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

    /// <summary>The names (or, with <paramref name="type"/>, the types) of a query's columns.</summary>
    private static List<string> Describe(DuckDBConnection connection, string query, bool type = false)
    {
        var names = new List<string>();
        using var command = connection.CreateCommand();
        command.CommandText = $"DESCRIBE {query}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            names.Add(reader.GetString(type ? 1 : 0));
        }

        return names;
    }

    /// <summary>The JSON path of a top-level key: the list of values and the nested-value check must address the same key.</summary>
    private static string JsonPath(string name) => "$." + (name.All(ch => char.IsLetterOrDigit(ch) || ch == '_') ? name : $"\"{name}\"");

    internal static string FirstLine(string message)
    {
        var end = message.IndexOf('\n');
        return (end > 0 ? message[..end] : message).Trim();
    }
}
