namespace Tributary.Orchestrations.Processing.Text;

/// <summary>
/// Finds record boundaries in a byte stream fed in pieces, with bounded memory. A newline ends a record
/// unless it is inside a quoted field; quotes are escaped by doubling ("" toggles twice), so the parity of
/// the quotes seen so far says exactly whether a position is inside a field. CRLF ends a record at its LF.
/// </summary>
public sealed class TextRecordScanner(TextDialect dialect, long startOffset = 0, long startLine = 1)
{
    private const byte NewLine = (byte)'\n';

    public static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>A record's bytes without the terminator the scanner ended it at: its LF, or the CRLF that LF closes.</summary>
    public static ReadOnlySpan<byte> WithoutTerminator(ReadOnlySpan<byte> record)
    {
        if (record.Length > 0 && record[^1] == NewLine)
        {
            record = record[..^1];
            if (record.Length > 0 && record[^1] == (byte)'\r')
            {
                record = record[..^1];
            }
        }

        return record;
    }

    private bool inQuotes;
    private long recordStart = startOffset;
    private long recordLine = startLine;
    private long line = startLine;
    private int fields = 1;
    private byte lastByte;
    private bool sawQuote;
    private long bomEnd;
    private readonly byte[] prefix = new byte[3];
    private int prefixLength;

    /// <summary>Scans <paramref name="data"/>, which starts at byte <paramref name="position"/> of the stream; calls <paramref name="onRecord"/> per complete record.</summary>
    public void Feed(ReadOnlySpan<byte> data, long position, Action<TextRecord> onRecord)
    {
        // A UTF-8 BOM is not content: an otherwise empty first line stays blank. Reads may split it.
        for (var k = 0; k < data.Length && position + k < ByteOrderMark.Length && position + k == prefixLength; k++)
        {
            prefix[prefixLength++] = data[k];
            if (prefixLength == ByteOrderMark.Length && prefix.AsSpan().SequenceEqual(ByteOrderMark))
            {
                bomEnd = ByteOrderMark.Length;
            }
        }

        var quote = dialect.Quote;
        var delimiter = dialect.Delimiter;
        var i = 0;
        while (i < data.Length)
        {
            var rest = data[i..];
            if (inQuotes)
            {
                var close = rest.IndexOf(quote!.Value);
                var inside = close < 0 ? rest : rest[..close];
                line += inside.Count(NewLine);
                if (close < 0)
                {
                    i = data.Length;
                    break;
                }

                inQuotes = false;
                i += close + 1;
                continue;
            }

            var stop = quote is { } q ? rest.IndexOfAny(q, NewLine) : rest.IndexOf(NewLine);
            var plain = stop < 0 ? rest : rest[..stop];
            if (delimiter != NewLine)
            {
                fields += plain.Count(delimiter);
            }

            if (stop < 0)
            {
                i = data.Length;
                break;
            }

            if (rest[stop] != NewLine)
            {
                inQuotes = true;
                sawQuote = true;
                i += stop + 1;
                continue;
            }

            var end = position + i + stop + 1;
            var before = stop > 0 ? rest[stop - 1] : (i > 0 ? data[i - 1] : lastByte);
            onRecord(Complete(end, before, closedByNewLine: true));
            line++;
            i += stop + 1;
        }

        if (data.Length > 0)
        {
            lastByte = data[^1];
        }
    }

    /// <summary>Ends the stream at <paramref name="endPosition"/>: a last record without a trailing newline is still a record.</summary>
    public void Finish(long endPosition, Action<TextRecord> onRecord)
    {
        if (endPosition > recordStart)
        {
            onRecord(Complete(endPosition, lastByte, closedByNewLine: false));
        }
    }

    private TextRecord Complete(long end, byte beforeTerminator, bool closedByNewLine)
    {
        var length = end - recordStart;
        var content = (closedByNewLine ? length - 1 : length) - Math.Max(0, bomEnd - recordStart);
        var blank = !sawQuote && (content == 0 || (content == 1 && beforeTerminator == (byte)'\r'));
        var record = new TextRecord(recordStart, length, recordLine, fields, blank, inQuotes);
        recordStart = end;
        recordLine = line + (closedByNewLine ? 1 : 0);
        fields = 1;
        sawQuote = false;
        inQuotes = false;
        return record;
    }
}
