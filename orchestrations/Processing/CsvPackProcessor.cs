using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing.Compression;
using Tributary.Orchestrations.Processing.FastPath;
using Tributary.Orchestrations.Processing.Text;
using static Tributary.Orchestrations.Processing.DuckDbChunkProcessor;
using static Tributary.Orchestrations.Processing.DuckDbCommands;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Processes a pack of whole CSV files with one DuckDB pass where <see cref="DuckDbChunkProcessor"/> runs one per file:
/// a small file costs DuckDB's statements (a validation query planned, a COPY), not its rows (~30 ms of CPU for a
/// 100-row file; bench/README.md). Each file keeps its own pre-pass (true lines, its fast path), its own curated part
/// and its own rejects, exactly as the single path writes them (<c>CsvPackProcessorTests</c> compares the two): the
/// table still replaces an input by its parts. What the shared pass cannot place file by file, and any file with a
/// file-level problem, is processed by the single path, which gives the same outcome it always has.
/// </summary>
public sealed class CsvPackProcessor(DuckDbChunkProcessor single)
{
    private const string Segment = "__segment";

    /// <summary>The reader's file name column, named so that no data column (a "filename" of the dataset's) is shadowed.</summary>
    private const string FileColumn = "__tributary_file";

    private long filesPassedTogether;

    /// <summary>Files processed so far by a shared pass (the rest went one by one): what the lever did.</summary>
    public long FilesPassedTogether => Interlocked.Read(ref filesPassedTogether);

    public IReadOnlyList<ChunkOutcome> Process(IReadOnlyList<PackMember> members, DatasetDefinition dataset, string spillDirectory, string memoryLimit = DefaultMemoryLimit, int threads = 1)
    {
        var outcomes = new ChunkOutcome?[members.Count];
        if (single.FastPath && members.Count(m => Eligible(m.Chunk)) > 1)
        {
            using var loan = DuckDbDatabases.Shared.Borrow(threads, memoryLimit, spillDirectory, inputBytes: members.Sum(m => new FileInfo(m.Chunk.LocalPath).Length));
            var connection = loan.Connection;
            // As the single path: curated timestamps are UTC instants; the pack's files are read in order.
            Execute(connection, "SET preserve_insertion_order = true; SET TimeZone = 'UTC';");
            var zones = new ZoneOffsets(connection);
            foreach (var group in Prepare(members, dataset, zones).Where(g => g.Count > 1))
            {
                try
                {
                    foreach (var (index, outcome) in ProcessGroup(connection, group, dataset, zones))
                    {
                        outcomes[index] = outcome;
                        Interlocked.Increment(ref filesPassedTogether);
                    }
                }
                catch (Exception ex) when (ex is FastPathRefusedException or InvalidOperationException or DbException && !WorkDiskFullException.Is(ex))
                {
                    // Left to the single path below, file by file (which redoes a file whose fast path DuckDB refused).
                }
                finally
                {
                    Execute(connection, "DROP TABLE IF EXISTS validated; DROP TABLE IF EXISTS csv_errors; DROP TABLE IF EXISTS csv_scan");
                }
            }
        }

        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i];
            outcomes[i] ??= single.Process(member.Chunk, dataset, member.CuratedPath, member.RejectedPath, member.WorkDirectory, memoryLimit, threads);
        }

        return outcomes!;
    }

    /// <summary>A whole CSV file with bytes: the shared pass's input (a range of a large file is a large chunk).</summary>
    private static bool Eligible(LocalChunk chunk) =>
        chunk.Format == DataFormat.Csv && chunk.FileOffset == 0 && chunk.Header is null && chunk.Rows is null && new FileInfo(chunk.LocalPath).Length > 0;

    private sealed record Prepared(int Index, PackMember Member, TextPrepass Pre);

    /// <summary>
    /// The pre-pass of each eligible file, grouped by the file's columns (one DuckDB reader reads a group). A file the
    /// pre-pass cannot take, without data records, with a header the schema refuses or that left no fast path, is left out.
    /// </summary>
    private static List<List<Prepared>> Prepare(IReadOnlyList<PackMember> members, DatasetDefinition dataset, ZoneOffsets zones)
    {
        var groups = new Dictionary<string, List<Prepared>>(StringComparer.Ordinal);
        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i];
            if (!Eligible(member.Chunk))
            {
                continue;
            }

            TextPrepass pre;
            try
            {
                pre = DuckDbChunkProcessor.Prepass(member.Chunk, dataset, zones, useFastPath: true, member.WorkDirectory);
            }
            catch (UnreadableInputException)
            {
                continue;
            }

            if (pre.FastReadPath is null || pre.DataRecords == 0 || pre.Columns.Contains(FileColumn) || pre.Columns.Contains(Segment)
                || CheckColumns(pre.Columns, dataset, dataset.Input.Csv.Header) is not null)
            {
                continue;
            }

            var key = string.Join('\u001f', pre.Columns);
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = [];
            }

            group.Add(new Prepared(i, member, pre));
        }

        return [.. groups.Values];
    }

    private static List<(int Index, ChunkOutcome Outcome)> ProcessGroup(DuckDBConnection connection, List<Prepared> group, DatasetDefinition dataset, ZoneOffsets zones)
    {
        var schema = dataset.Schema.Columns;
        var fileColumns = group[0].Pre.Columns;

        // Every file DuckDB reads (each member's copy of its slow records and of its fast ones) names its member.
        var segmentOfPath = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var s = 0; s < group.Count; s++)
        {
            segmentOfPath[group[s].Pre.ReadPath] = s;
            segmentOfPath[group[s].Pre.FastReadPath!] = s;
        }

        var segmentOfFile = $"CASE {FileColumn} {string.Join(" ", segmentOfPath.Select(p => $"WHEN {Literal(p.Key)} THEN {p.Value.ToString(CultureInfo.InvariantCulture)}"))} END";
        var valid = new long[group.Count];
        var invalid = group.Select(_ => new List<(long Ordinal, List<string> Reasons)>()).ToArray();
        var refused = group.Select(_ => new SortedDictionary<int, string>()).ToArray();
        var slow = group.Where(p => p.Pre.Kept.Count > 0).ToList();
        if (slow.Count > 0)
        {
            Validate(connection, slow, fileColumns, segmentOfFile, dataset, zones);
            ReadValidated(connection, group.Count, valid, invalid);
            ReadRefused(connection, group, segmentOfPath, refused);
        }

        var written = WriteCurated(connection, group, fileColumns, segmentOfFile, dataset, slow.Count > 0);
        for (var s = 0; s < group.Count; s++)
        {
            var pre = group[s].Pre;
            if (written[s] - valid[s] != pre.FastRecords)
            {
                throw new InvalidOperationException($"the pack's file {s} has {written[s]} curated rows, not {valid[s]} + {pre.FastRecords}");
            }

            if (valid[s] + invalid[s].Count + refused[s].Count != pre.Kept.Count)
            {
                throw new InvalidOperationException($"the pack's file {s}: DuckDB read {valid[s] + invalid[s].Count} rows and refused {refused[s].Count} of {pre.Kept.Count}");
            }
        }

        // Accounted for, file by file: only now does anything land at a member's own paths.
        var outcomes = new List<(int, ChunkOutcome)>(group.Count);
        for (var s = 0; s < group.Count; s++)
        {
            var (index, member, pre) = group[s];
            PlaceCurated(connection, PartsFolder(group[0].Member), member, s, dataset);
            var rejected = WriteRejects(member.Chunk, pre, refused[s], invalid[s], member.RejectedPath, MaxLineBytes(dataset));
            var curated = valid[s] + pre.FastRecords;
            outcomes.Add((index, new ChunkOutcome(curated + rejected, curated, rejected)));
        }

        return outcomes;
    }

    /// <summary>The slow records of every file validated by one query into <c>validated</c>, each row tagged with its file.</summary>
    private static void Validate(DuckDBConnection connection, List<Prepared> slow, IReadOnlyList<string> fileColumns, string segmentOfFile, DatasetDefinition dataset, ZoneOffsets zones)
    {
        var schema = dataset.Schema.Columns;
        var source = CsvTextSource(List(slow.Select(p => p.Pre.ReadPath)), header: false, fileColumns, dataset, newLineIsLf: true, extra: $", filename = {Literal(FileColumn)}");
        var rawColumns = string.Join(", ", schema.Select(c => $"{(fileColumns.Contains(c.Name) ? Identifier(c.Name) : "CAST(NULL AS VARCHAR)")} AS {RawColumn(c)}"));
        var rows = ValidatedRows($"SELECT {rawColumns}, {segmentOfFile} AS {Segment} FROM {source}", schema, rawIsText: true, [], null);
        var reasons = ValidationSqlBuilder.ReasonsExpression(schema, RawColumn, rawIsText: true, []);
        var kept = slow.Sum(p => p.Pre.Kept.Count);
        var typed = string.Join(", ", schema.Select(c => $"{CuratedValue(c, zones, kept)} AS {Identifier(c.Name)}"));
        Execute(connection, "SET disabled_optimizers = 'filter_pushdown'");
        Execute(connection, $"CREATE TEMP TABLE validated AS SELECT {typed}, CASE WHEN __valid THEN NULL ELSE {reasons} END AS __reasons, {Segment} FROM ({rows})");
    }

    /// <summary>
    /// Each file's valid count and invalid rows by its own 1-based row ordinal. The files' rows must come in the order
    /// they were listed, each file's together (insertion order is preserved): checked, not assumed.
    /// </summary>
    private static void ReadValidated(DuckDBConnection connection, int files, long[] valid, List<(long Ordinal, List<string> Reasons)>[] invalid)
    {
        var firstRow = new long[files];
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT {Segment}, min(rowid), max(rowid), count(*), count(*) FILTER (WHERE __reasons IS NULL) FROM validated GROUP BY {Segment} ORDER BY min(rowid)";
            using var reader = command.ExecuteReader();
            long next = 0;
            var lastSegment = -1;
            while (reader.Read())
            {
                var segment = reader.GetInt32(0);
                var (first, last, count) = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
                if (segment <= lastSegment || first != next || last - first + 1 != count)
                {
                    throw new InvalidOperationException("DuckDB did not read the pack's files one after another");
                }

                (firstRow[segment], valid[segment], lastSegment, next) = (first, reader.GetInt64(4), segment, last + 1);
            }
        }

        using var rows = connection.CreateCommand();
        rows.CommandText = $"SELECT {Segment}, rowid, __reasons FROM validated WHERE __reasons IS NOT NULL ORDER BY rowid";
        using var invalidRows = rows.ExecuteReader();
        while (invalidRows.Read())
        {
            var segment = invalidRows.GetInt32(0);
            invalid[segment].Add((invalidRows.GetInt64(1) - firstRow[segment] + 1, invalidRows.GetFieldValue<List<string>>(2)));
        }
    }

    /// <summary>Rows DuckDB's CSV reader refused, by file and by the byte offset of their record (as the single path finds them).</summary>
    private static void ReadRefused(DuckDBConnection connection, List<Prepared> group, Dictionary<string, int> segmentOfPath, SortedDictionary<int, string>[] refused)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT s.file_path, e.byte_position, string_agg(e.error_message, '; ') FROM csv_errors e JOIN csv_scan s ON e.scan_id = s.scan_id AND e.file_id = s.file_id GROUP BY s.file_path, e.byte_position";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var segment = segmentOfPath.TryGetValue(reader.GetString(0), out var s) ? s
                : throw new InvalidOperationException($"DuckDB refused a row of a file not in the pack: {reader.GetString(0)}");
            var kept = group[segment].Pre.Kept;
            var index = kept.IndexContainingReadOffset(Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
            if (index < 0)
            {
                throw new InvalidOperationException($"DuckDB refused a row at byte {reader.GetValue(1)} that is not inside a kept record");
            }

            refused[segment][index] = FirstLine(reader.GetString(2));
        }
    }

    /// <summary>
    /// One COPY of every file's curated rows (fast records first, then the valid rest, as the single path orders them),
    /// partitioned by file; returns the rows written per file.
    /// </summary>
    private static long[] WriteCurated(DuckDBConnection connection, List<Prepared> group, IReadOnlyList<string> fileColumns, string segmentOfFile, DatasetDefinition dataset, bool anySlow)
    {
        var schema = dataset.Schema.Columns;
        var parts = new List<string>();
        var fast = group.Where(p => p.Pre.FastRecords > 0).ToList();
        if (fast.Count > 0)
        {
            var fastSource = FastSource(List(fast.Select(p => p.Pre.FastReadPath!)), fileColumns, dataset, extra: $", filename = {Literal(FileColumn)}");
            parts.Add($"SELECT {FastColumns(schema, fileColumns)}, {segmentOfFile} AS {Segment} FROM {fastSource}");
        }

        if (anySlow)
        {
            parts.Add($"SELECT {string.Join(", ", schema.Select(c => Identifier(c.Name)))}, {Segment} FROM validated WHERE __reasons IS NULL");
        }

        var written = new long[group.Count];
        if (parts.Count == 0)
        {
            return written;
        }

        // One writer thread, as the single path: the typed rows are computed, and insertion order is kept.
        Execute(connection, "SET threads = 1");
        var folder = PartsFolder(group[0].Member);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        try
        {
            Execute(connection, $"COPY ({AsStored(schema, string.Join(" UNION ALL ", parts), Segment)}) TO {Literal(folder)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({Segment}))");
        }
        catch (DbException ex) when (!WorkDiskFullException.Is(ex))
        {
            throw new FastPathRefusedException(ex);
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Segment}, count(*), count(DISTINCT {FileColumn}) FROM read_parquet({Literal(Path.Combine(folder, "*", "*.parquet"))}, hive_partitioning = true, filename = {Literal(FileColumn)}) GROUP BY {Segment}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (reader.GetInt64(2) != 1)
            {
                throw new InvalidOperationException("DuckDB wrote a file of the pack as more than one part");
            }

            written[Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture)] = reader.GetInt64(1);
        }

        return written;
    }

    /// <summary>Moves the file's partition to its curated path; a file without curated rows gets an empty part, as the single path writes one.</summary>
    private static void PlaceCurated(DuckDBConnection connection, string partsFolder, PackMember member, int segment, DatasetDefinition dataset)
    {
        var partition = Path.Combine(partsFolder, $"{Segment}={segment.ToString(CultureInfo.InvariantCulture)}");
        if (Directory.Exists(partition))
        {
            File.Move(Directory.GetFiles(partition, "*.parquet").Single(), member.CuratedPath, overwrite: true);
            return;
        }

        var schema = dataset.Schema.Columns;
        var none = $"SELECT {string.Join(", ", schema.Select(c => $"CAST(NULL AS {ColumnType.Parse(c.Type).DuckDbType}) AS {Identifier(c.Name)}"))} WHERE false";
        Execute(connection, $"COPY ({AsStored(schema, none)}) TO {Literal(member.CuratedPath)} (FORMAT parquet, COMPRESSION zstd)");
    }

    /// <summary>Where the pack's partitioned COPY writes: in the first member's scratch folder (the pack's partitions hold every member's part).</summary>
    private static string PartsFolder(PackMember first) => Path.Combine(first.WorkDirectory, "pack-curated");
}
