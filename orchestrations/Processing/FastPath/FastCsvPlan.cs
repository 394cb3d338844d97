using System.Text;
using System.Text.Unicode;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing.Text;

namespace Tributary.Orchestrations.Processing.FastPath;

/// <summary>
/// The C# fast path of CSV validation for one file's columns: a record whose every field is plainly valid (see
/// <see cref="FieldRule"/>) is rewritten for DuckDB's typed CSV reader, which then reads it at its full speed;
/// any other record (invalid, or spelled in a way only DuckDB's casts can judge) keeps DuckDB's validation path,
/// which gives its reasons. The fast path only ever says "valid" where that path would, never "invalid".
/// </summary>
public sealed class FastCsvPlan
{
    private readonly FieldRule[] rules;
    private readonly byte delimiter;
    private readonly byte quote;
    private readonly byte[][] nullStrings;
    private readonly int longestNullString;

    private FastCsvPlan(FieldRule[] rules, byte delimiter, byte quote, byte[][] nullStrings)
    {
        this.rules = rules;
        this.delimiter = delimiter;
        this.quote = quote;
        this.nullStrings = nullStrings;
        longestNullString = nullStrings.Length == 0 ? -1 : nullStrings.Max(n => n.Length);
    }

    /// <summary>Room a rewritten record may need beyond its own length.</summary>
    public int ExtraBytes => (rules.Length * FieldRule.MaxRewriteLength) + 1;

    /// <summary>A plan for a CSV file with <paramref name="fileColumns"/>, or null when the dataset's rules cannot be mirrored exactly.</summary>
    /// <param name="zoneOffsets">The per-day offsets of a time zone, the ones DuckDB's validation applies (<see cref="ZoneOffsets.OffsetsOf"/>).</param>
    public static FastCsvPlan? TryCreate(DatasetDefinition dataset, IReadOnlyList<string> fileColumns, Func<string, long?[]> zoneOffsets)
    {
        var csv = dataset.Input.Csv;
        if (dataset.Input.Format != DataFormats.Csv || csv.Delimiter.Length != 1 || csv.Quote.Length != 1
            || csv.Delimiter[0] > 0x7E || csv.Quote[0] > 0x7E || csv.Delimiter[0] is '\r' or '\n' || csv.Quote[0] is '\r' or '\n'
            || fileColumns.Distinct(StringComparer.Ordinal).Count() != fileColumns.Count)
        {
            return null;
        }

        var rules = new FieldRule[fileColumns.Count];
        for (var i = 0; i < rules.Length; i++)
        {
            var column = dataset.Schema.Columns.FirstOrDefault(c => c.Name == fileColumns[i]);
            var rule = column is null ? FieldRule.Ignored : FieldRule.TryCreate(column, zoneOffsets);
            if (rule is null)
            {
                return null;
            }

            rules[i] = rule;
        }

        return new FastCsvPlan(rules, (byte)csv.Delimiter[0], (byte)csv.Quote[0], [.. csv.NullStrings.Select(s => Encoding.UTF8.GetBytes(s))]);
    }

    /// <summary>
    /// Writes the record (terminator included) to <paramref name="target"/> as the fast reader reads it, ending with
    /// '\n', and returns the bytes written; -1 when the record must go through DuckDB's validation instead.
    /// </summary>
    public int TryRewrite(ReadOnlySpan<byte> record, Span<byte> target)
    {
        record = TextRecordScanner.WithoutTerminator(record);

        // Line breaks inside fields and invalid UTF-8 are DuckDB's to judge (one vectorized pass settles the usual all-ASCII record).
        if (record.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0 && (record.IndexOfAny((byte)'\r', (byte)'\n') >= 0 || !Utf8.IsValid(record)))
        {
            return -1;
        }

        // Unchanged bytes are copied in runs, from the end of the last rewritten field.
        var written = 0;
        var copiedUpTo = 0;
        var position = 0;
        var quoteFree = record.IndexOf(quote) < 0;
        for (var column = 0; column < rules.Length; column++)
        {
            var rest = record[position..];
            ReadOnlySpan<byte> value;
            int fieldLength;
            var quoted = !quoteFree && rest.Length > 0 && rest[0] == quote;
            if (quoted)
            {
                // A quoted field without doubled quotes, ending right before a delimiter or the end.
                var close = rest[1..].IndexOf(quote);
                if (close < 0)
                {
                    return -1;
                }

                value = rest.Slice(1, close);
                fieldLength = close + 2;
                if (fieldLength < rest.Length && rest[fieldLength] != delimiter)
                {
                    return -1;
                }
            }
            else
            {
                var end = quoteFree ? rest.IndexOf(delimiter) : rest.IndexOfAny(delimiter, quote);
                if (end >= 0 && rest[end] == quote)
                {
                    return -1;
                }

                fieldLength = end < 0 ? rest.Length : end;
                value = rest[..fieldLength];
            }

            var isNull = IsNullString(value);
            if (isNull && quoted)
            {
                // Whether a quoted null string is NULL is a reader setting; DuckDB decides.
                return -1;
            }

            var pending = position - copiedUpTo;
            var rewritten = rules[column].Check(value, isNull, target[(written + pending)..]);
            if (rewritten < 0)
            {
                return -1;
            }

            if (rewritten > 0)
            {
                // The canonical value was written after the pending run; slide it into place behind that run.
                record[copiedUpTo..position].CopyTo(target[written..]);
                written += pending + rewritten;
                copiedUpTo = position + fieldLength;
            }

            position += fieldLength;
            var last = column == rules.Length - 1;
            if (last != (position >= record.Length))
            {
                return -1;
            }

            if (!last)
            {
                position++;
            }
        }

        record[copiedUpTo..].CopyTo(target[written..]);
        written += record.Length - copiedUpTo;
        target[written++] = (byte)'\n';
        return written;
    }

    private bool IsNullString(ReadOnlySpan<byte> value)
    {
        if (value.Length > longestNullString)
        {
            return false;
        }

        foreach (var candidate in nullStrings)
        {
            if (value.SequenceEqual(candidate))
            {
                return true;
            }
        }

        return false;
    }
}
