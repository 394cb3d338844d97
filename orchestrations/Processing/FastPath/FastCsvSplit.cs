using System.Buffers;
using Tributary.Orchestrations.Processing.Text;

namespace Tributary.Orchestrations.Processing.FastPath;

/// <summary>
/// Copies a chunk's kept records in one forward pass: those the <see cref="FastCsvPlan"/> (if any) finds plainly
/// valid go, rewritten, to a file for DuckDB's typed reader; the rest go to a file for DuckDB's validation, with
/// their positions. Every copied record ends with exactly one '\n' (CRLF or no terminator become LF, a BOM is
/// dropped): records carried from files with mixed line endings would otherwise confuse DuckDB's newline detection.
/// </summary>
public static class FastCsvSplit
{
    /// <summary>The read window; longer records are copied in pieces.</summary>
    private const int WindowBytes = 1 << 20;

    /// <summary>Records longer than this skip the fast path, so that its reader needs only a small buffer.</summary>
    public const int MaxFastRecordBytes = 256 << 10;

    private const int OutputBytes = 1 << 20;

    public sealed record Result(long FastRecords, RecordPositions Slow);

    /// <param name="plan">Null copies every record to <paramref name="slowPath"/> (the pre-pass's clean copy).</param>
    public static Result Run(LocalChunk chunk, RecordPositions kept, FastCsvPlan? plan, string? fastPath, string slowPath)
    {
        var slow = new RecordPositions(chunk.FirstRecord);
        var slowLengths = new List<int>();
        long fast = 0;
        var window = Storage.LargeBuffers.Pool.Rent(WindowBytes);
        var output = Storage.LargeBuffers.Pool.Rent(OutputBytes);
        var outputLength = 0;
        try
        {
            using var source = new FileStream(chunk.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            using var fastFile = plan is null ? null : new FileStream(fastPath!, FileMode.Create, FileAccess.Write, FileShare.None, 1);
            using var slowFile = new FileStream(slowPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            long windowStart = 0;
            var windowLength = 0;
            for (var i = 0; i < kept.Count; i++)
            {
                var start = kept.Offset(i) - chunk.FileOffset;
                var length = kept.Length(i);
                if (length <= WindowBytes)
                {
                    if (start < windowStart || start + length > windowStart + windowLength)
                    {
                        (windowStart, windowLength) = Refill(source, window, windowStart, windowLength, start);
                    }

                    var record = window.AsSpan((int)(start - windowStart), length);
                    var bom = start == 0 && record.StartsWith(TextRecordScanner.ByteOrderMark);
                    if (plan is not null && !bom && length <= MaxFastRecordBytes)
                    {
                        // Records are rewritten straight into the output buffer, which is written out when full.
                        if (outputLength + length + plan.ExtraBytes > output.Length)
                        {
                            fastFile!.Write(output, 0, outputLength);
                            outputLength = 0;
                        }

                        var n = plan.TryRewrite(record, output.AsSpan(outputLength));
                        if (n > 0)
                        {
                            outputLength += n;
                            fast++;
                            continue;
                        }
                    }

                    var body = TextRecordScanner.WithoutTerminator(bom ? record[TextRecordScanner.ByteOrderMark.Length..] : record);
                    slowFile.Write(body);
                    slowFile.WriteByte((byte)'\n');
                    slow.Add(kept.Line(i), kept.Record(i), kept.Offset(i), length);
                    slowLengths.Add(body.Length + 1);
                    continue;
                }

                slow.Add(kept.Line(i), kept.Record(i), kept.Offset(i), length);
                slowLengths.Add(CopyLong(chunk, start, length, slowFile));
            }

            fastFile?.Write(output, 0, outputLength);
        }
        finally
        {
            Storage.LargeBuffers.Pool.Return(window);
            Storage.LargeBuffers.Pool.Return(output);
        }

        slow.ReadFromCopy(i => slowLengths[i]);
        return new Result(fast, slow);
    }

    /// <summary>Moves the window to start at <paramref name="start"/>, keeping the bytes it already holds from there on.</summary>
    private static (long Start, int Length) Refill(FileStream source, byte[] window, long windowStart, int windowLength, long start)
    {
        var kept = 0;
        if (start >= windowStart && start < windowStart + windowLength)
        {
            kept = (int)(windowStart + windowLength - start);
            Buffer.BlockCopy(window, (int)(start - windowStart), window, 0, kept);
        }
        else
        {
            source.Position = start;
        }

        var length = kept;
        int read;
        while (length < window.Length && (read = source.Read(window, length, window.Length - length)) > 0)
        {
            length += read;
        }

        return (start, length);
    }

    /// <summary>A record longer than the window, copied in pieces like the short ones (BOM and terminator dropped, LF added).</summary>
    private static int CopyLong(LocalChunk chunk, long start, int length, FileStream target)
    {
        using var source = new FileStream(chunk.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> edge = stackalloc byte[3];
        source.Position = start + length - 2;
        source.ReadExactly(edge[..2]);
        var end = length - 2 + TextRecordScanner.WithoutTerminator(edge[..2]).Length;
        source.Position = start;
        source.ReadExactly(edge);
        var from = start == 0 && edge.SequenceEqual(TextRecordScanner.ByteOrderMark) ? TextRecordScanner.ByteOrderMark.Length : 0;
        source.Position = start + from;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            for (var remaining = end - from; remaining > 0;)
            {
                var n = source.Read(buffer, 0, Math.Min(remaining, buffer.Length));
                target.Write(buffer, 0, n);
                remaining -= n;
            }

            target.WriteByte((byte)'\n');
            return end - from + 1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
