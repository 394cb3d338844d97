namespace Tributary.Orchestrations.Processing.Text;

/// <summary>The chunks of one text file, its header line (CSV with a header) and its count of data records.</summary>
public sealed record TextLayout(IReadOnlyList<TextChunk> Chunks, string? Header, long Records, long Bytes);
