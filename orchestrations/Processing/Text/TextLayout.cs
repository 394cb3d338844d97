namespace Tributary.Orchestrations.Processing.Text;

/// <summary>
/// The chunks of one text file, its header line (CSV with a header) and its count of data records. <paramref name="HeaderBytes"/>
/// is the header line's length in bytes (terminator included; 0 without a header), known even when the line is too long to keep.
/// </summary>
public sealed record TextLayout(IReadOnlyList<TextChunk> Chunks, string? Header, long Records, long Bytes, long HeaderBytes = 0)
{
    /// <summary>Why the file cannot be processed as planned, or null: a header longer than the dataset's line limit, or no data records.</summary>
    public string? ProblemOf(int maxLineBytes) =>
        HeaderBytes > maxLineBytes
            ? $"the header line is {HeaderBytes:N0} bytes, longer than the dataset's maximum of {maxLineBytes:N0} bytes per line (input.maxLineBytes); it was measured while streaming, not read into memory"
            : Records == 0 ? "the file has no data records" : null;
}
