using System.Buffers;
using System.Text;
using Tributary.Orchestrations.Processing.FastPath;

namespace Tributary.Orchestrations.Processing.Text;

/// <summary>
/// The C# pass over a staged text chunk before DuckDB reads it: it numbers every record with its true line,
/// skips blank lines, rejects records DuckDB could not attribute (wrong field count, unterminated quote,
/// control characters in JSON lines) and, only when some record is dropped or a BOM leads, writes a clean
/// copy so that DuckDB's n-th row is exactly the n-th kept record.
/// </summary>
public sealed class TextPrepass
{
    private const int BufferSize = 1 << 20;

    public required string ReadPath { get; init; }
    public required bool ReadHasHeaderLine { get; init; }
    public required IReadOnlyList<string> Columns { get; init; }
    public required RecordPositions Kept { get; init; }
    public required List<PrepassReject> Rejects { get; init; }

    /// <summary>The file of records the fast path found valid, rewritten for DuckDB's typed reader; null without a fast path.</summary>
    public string? FastReadPath { get; init; }

    /// <summary>Records in <see cref="FastReadPath"/>: valid, and not in <see cref="Kept"/>.</summary>
    public long FastRecords { get; init; }

    /// <summary>Data records seen (fast, kept for DuckDB's validation, rejected here); blank lines and the header are not records.</summary>
    public long DataRecords => FastRecords + Kept.Count + Rejects.Count;

    /// <param name="expectedFields">Fields a CSV record must have; 0 for JSON lines.</param>
    /// <param name="headerInChunk">True when the chunk's first non-blank record is the header line.</param>
    /// <param name="fastPlanOf">The CSV fast path for the file's columns, if any: its records go to <paramref name="fastPath"/>, the rest to <paramref name="cleanPath"/>.</param>
    public static TextPrepass Run(LocalChunk chunk, TextDialect dialect, bool headerInChunk, Func<string?, IReadOnlyList<string>> columnsOf, string cleanPath,
        Func<IReadOnlyList<string>, FastCsvPlan?>? fastPlanOf = null, string? fastPath = null, int maxRecordBytes = Datasets.InputSpec.DefaultMaxLineBytes)
    {
        var isJson = dialect.Quote is null && dialect.Delimiter == (byte)'\n';
        var startsWithBom = chunk.FileOffset == 0 && StartsWithBom(chunk);

        // The JSON line reader splits on this byte; a raw control character is invalid JSON anyway.
        var sawControl = isJson && Contains(chunk, 0x1F);

        // Records are classified as the scan finds them: nothing per record is kept but the positions of kept ones.
        var kept = new RecordPositions(chunk.FirstRecord);
        var rejects = new List<PrepassReject>();
        var dropped = startsWithBom;
        var record = chunk.FirstRecord;
        var headerPending = headerInChunk;
        var headerSeen = false;
        IReadOnlyList<string>? columns = headerInChunk ? null : columnsOf(null);
        var expectedFields = 0;

        void OnRecord(TextRecord r)
        {
            if (r.Blank)
            {
                dropped = true;
                return;
            }

            if (headerPending)
            {
                if (r.Length > maxRecordBytes)
                {
                    throw new Compression.UnreadableInputException(
                        $"the header line is {r.Length:N0} bytes, longer than the dataset's maximum of {maxRecordBytes:N0} bytes per line (input.maxLineBytes)");
                }

                headerPending = false;
                headerSeen = true;
                columns = columnsOf(ReadText(chunk, r));
                expectedFields = isJson ? 0 : columns.Count;
                return;
            }

            if (r.Length > maxRecordBytes)
            {
                // Too long for DuckDB's reader (and for memory): rejected here, its text cut in the reject file.
                rejects.Add(new PrepassReject(r.Line, record++, r.Offset, (int)Math.Min(r.Length, int.MaxValue),
                    $"the record is {r.Length:N0} bytes, longer than the dataset's maximum of {maxRecordBytes:N0} bytes per line (input.maxLineBytes)"));
                dropped = true;
                return;
            }

            var problem = r.UnclosedQuote ? "the record ends inside a quoted field (unterminated quote)"
                : expectedFields > 0 && r.Fields != expectedFields ? $"expected {expectedFields} fields, found {r.Fields}"
                : sawControl && ReadText(chunk, r).Contains('\u001f', StringComparison.Ordinal) ? "line is not valid JSON: it contains a raw control character"
                : null;
            if (problem is not null)
            {
                rejects.Add(new PrepassReject(r.Line, record++, r.Offset, checked((int)r.Length), problem));
                dropped = true;
                return;
            }

            kept.Add(r.Line, record++, r.Offset, checked((int)r.Length));
        }

        if (columns is not null)
        {
            expectedFields = isJson ? 0 : columns.Count;
        }

        var scanner = new TextRecordScanner(dialect, chunk.FileOffset, chunk.FirstLine);
        var buffer = Storage.LargeBuffers.Pool.Rent(BufferSize);
        try
        {
            using var file = new FileStream(chunk.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            long position = chunk.FileOffset;
            int read;
            while ((read = file.Read(buffer, 0, BufferSize)) > 0)
            {
                scanner.Feed(buffer.AsSpan(0, read), position, OnRecord);
                position += read;
            }

            scanner.Finish(position, OnRecord);
        }
        finally
        {
            Storage.LargeBuffers.Pool.Return(buffer);
        }

        columns ??= columnsOf(null);
        if (kept.Count > 0 && fastPath is not null && fastPlanOf?.Invoke(columns) is { } plan)
        {
            var split = FastCsvSplit.Run(chunk, kept, plan, fastPath, cleanPath);
            return new TextPrepass
            {
                ReadPath = cleanPath, ReadHasHeaderLine = false, Columns = columns, Kept = split.Slow, Rejects = rejects,
                FastReadPath = fastPath, FastRecords = split.FastRecords,
            };
        }

        if (!dropped)
        {
            // DuckDB reads the staged file itself: positions in it are the records' own.
            kept.ReadFromChunk(chunk.FileOffset);
            return new TextPrepass { ReadPath = chunk.LocalPath, ReadHasHeaderLine = headerSeen, Columns = columns, Kept = kept, Rejects = rejects };
        }

        // The copy holds the kept records only, each ending with one LF (see FastCsvSplit).
        var copy = FastCsvSplit.Run(chunk, kept, plan: null, fastPath: null, cleanPath);
        return new TextPrepass { ReadPath = cleanPath, ReadHasHeaderLine = false, Columns = columns, Kept = copy.Slow, Rejects = rejects };
    }

    /// <summary>The record's text as it is in the file, without its line terminator (and without a leading BOM).</summary>
    public static string ReadText(LocalChunk chunk, long offset, int length)
    {
        using var file = new FileStream(chunk.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var bytes = new byte[length];
        file.Position = offset - chunk.FileOffset;
        file.ReadExactly(bytes);
        return RecordTextReader.Decode(bytes, offset);
    }

    private static string ReadText(LocalChunk chunk, TextRecord record) => ReadText(chunk, record.Offset, checked((int)record.Length));

    private static bool StartsWithBom(LocalChunk chunk)
    {
        using var file = new FileStream(chunk.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        Span<byte> head = stackalloc byte[3];
        return file.ReadAtLeast(head, 3, throwOnEndOfStream: false) == 3 && head.SequenceEqual(TextRecordScanner.ByteOrderMark);
    }

    private static bool Contains(LocalChunk chunk, byte value)
    {
        using var file = new FileStream(chunk.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = Storage.LargeBuffers.Pool.Rent(BufferSize);
        try
        {
            int read;
            while ((read = file.Read(buffer, 0, BufferSize)) > 0)
            {
                if (buffer.AsSpan(0, read).IndexOf(value) >= 0)
                {
                    return true;
                }
            }

            return false;
        }
        finally
        {
            Storage.LargeBuffers.Pool.Return(buffer);
        }
    }
}

/// <summary>A record the pre-pass rejected before DuckDB saw it.</summary>
public sealed record PrepassReject(long Line, long Record, long Offset, int Length, string Reason);
