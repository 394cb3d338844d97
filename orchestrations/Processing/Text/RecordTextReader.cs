using System.Text;

namespace Tributary.Orchestrations.Processing.Text;

/// <summary>
/// Reads records' original text from a staged chunk through one open file: fast when the records are asked
/// for in file order (rejected rows are few and sorted), correct in any order.
/// </summary>
public sealed class RecordTextReader(LocalChunk chunk) : IDisposable
{
    private readonly FileStream file = new(chunk.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    private byte[] bytes = new byte[4096];

    /// <summary>How much of an over-long record's text a reject keeps.</summary>
    public const int CutBytes = 64 * 1024;

    /// <summary>
    /// The record's text as it is in the file, without its line terminator (and without a leading BOM); a record longer
    /// than <paramref name="maxBytes"/> (rejected for that) gives its first <see cref="CutBytes"/> bytes and a note of its length.
    /// </summary>
    public string Read(long offset, int length, int maxBytes)
    {
        if (length > maxBytes)
        {
            return Read(offset, Math.Min(CutBytes, maxBytes)) + $"… (cut: the record is {length:N0} bytes)";
        }

        return Read(offset, length);
    }

    /// <summary>The record's text as it is in the file, without its line terminator (and without a leading BOM).</summary>
    public string Read(long offset, int length)
    {
        if (bytes.Length < length)
        {
            bytes = new byte[Math.Max(length, bytes.Length * 2)];
        }

        var position = offset - chunk.FileOffset;
        if (file.Position != position)
        {
            file.Position = position;
        }

        file.ReadExactly(bytes, 0, length);
        return Decode(bytes.AsSpan(0, length), offset);
    }

    /// <summary>Strips what is not content: a leading BOM at the start of the file, and the line terminator.</summary>
    public static string Decode(ReadOnlySpan<byte> span, long offset)
    {
        if (offset == 0 && span.StartsWith(TextRecordScanner.ByteOrderMark))
        {
            span = span[TextRecordScanner.ByteOrderMark.Length..];
        }

        if (span.EndsWith("\n"u8))
        {
            span = span[..^1];
        }

        if (span.EndsWith("\r"u8))
        {
            span = span[..^1];
        }

        return Encoding.UTF8.GetString(span);
    }

    public void Dispose() => file.Dispose();
}
