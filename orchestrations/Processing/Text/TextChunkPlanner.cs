using System.Buffers;
using System.Text;

namespace Tributary.Orchestrations.Processing.Text;

/// <summary>
/// Cuts a text file into chunks of about a target size, each ending at a record end. One streaming pass
/// over the file with a fixed buffer: the quote parity from the start of the file is the only way to know
/// for certain whether a newline ends a record, and a pass costs far less than processing the file.
/// </summary>
public static class TextChunkPlanner
{
    public const int BufferSize = 1 << 20;

    /// <summary>Longest header line accepted; a longer first line is not a header.</summary>
    public const int MaxHeaderBytes = 1 << 20;

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public static async Task<TextLayout> PlanAsync(Stream stream, TextDialect dialect, bool hasHeader, long targetBytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetBytes, 1);
        var chunks = new List<TextChunk>();
        var scanner = new TextRecordScanner(dialect);
        var headerBytes = hasHeader ? new MemoryStream() : null;
        string? header = null;
        long headerLength = 0;
        var headerSeen = !hasHeader;
        long records = 0;
        long chunkStart = 0;
        long chunkFirstLine = 0;
        long chunkFirstRecord = 1;
        long chunkRecords = 0;

        void OnRecord(TextRecord record)
        {
            if (record.Offset == chunkStart)
            {
                chunkFirstLine = record.Line;
                chunkFirstRecord = records + 1;
            }

            if (!record.Blank)
            {
                if (!headerSeen)
                {
                    headerSeen = true;
                    headerLength = record.Length;
                    header = HeaderText(headerBytes!, record);
                }
                else
                {
                    records++;
                    chunkRecords++;
                }
            }

            if (record.End - chunkStart >= targetBytes)
            {
                chunks.Add(new TextChunk(chunkStart, record.End - chunkStart, chunkFirstLine, chunkFirstRecord, chunkRecords));
                chunkStart = record.End;
                chunkRecords = 0;
            }
        }

        var buffer = Storage.LargeBuffers.Pool.Rent(BufferSize);
        long position = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                if (!headerSeen && headerBytes!.Length < MaxHeaderBytes)
                {
                    headerBytes.Write(buffer, 0, (int)Math.Min(read, MaxHeaderBytes - headerBytes.Length));
                }

                scanner.Feed(buffer.AsSpan(0, read), position, OnRecord);
                position += read;
            }
        }
        finally
        {
            Storage.LargeBuffers.Pool.Return(buffer);
        }

        scanner.Finish(position, OnRecord);
        if (position > chunkStart)
        {
            chunks.Add(new TextChunk(chunkStart, position - chunkStart, chunkFirstLine, chunkFirstRecord, chunkRecords));
        }

        return new TextLayout(chunks, header, records, position, headerLength);
    }

    /// <summary>The header record's text without BOM, quotes' line breaks kept, terminator removed.</summary>
    private static string? HeaderText(MemoryStream captured, TextRecord record)
    {
        if (record.End > captured.Length)
        {
            return null;
        }

        var bytes = captured.GetBuffer().AsSpan((int)record.Offset, (int)record.Length);
        if (bytes.StartsWith(Bom))
        {
            bytes = bytes[Bom.Length..];
        }

        return Encoding.UTF8.GetString(bytes).TrimEnd('\n').TrimEnd('\r');
    }
}
