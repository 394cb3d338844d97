using Tributary.Orchestrations.Datasets;

namespace Tributary.Orchestrations.Processing;

/// <summary>A chunk staged on local disk (already decompressed), ready for DuckDB.</summary>
/// <param name="SourceName">The blob the rows came from, recorded with every rejected row.</param>
/// <param name="FileOffset">Byte offset in the source file of the local file's first byte (text chunks).</param>
/// <param name="FirstLine">Physical line of the source file the local file starts on (text chunks).</param>
/// <param name="FirstRecord">Number of the chunk's first data record (text) or row (Parquet) in its file.</param>
/// <param name="Header">The file's header line when the local file starts after it (CSV chunks after the first).</param>
/// <param name="Rows">Parquet: the rows of the file this chunk owns, [FirstRecord, FirstRecord + Rows); null for all.</param>
public sealed record LocalChunk(
    string LocalPath,
    DataFormat Format,
    string SourceName,
    long FileOffset = 0,
    long FirstLine = 1,
    long FirstRecord = 1,
    string? Header = null,
    long? Rows = null)
{
    /// <summary>A planned chunk staged at <paramref name="localPath"/>: a text chunk's range, or a Parquet file (sparse or whole).</summary>
    public static LocalChunk Of(ChunkSpec chunk, string localPath) => new(
        localPath,
        chunk.Format,
        chunk.Input.Name,
        chunk.Format != DataFormat.Parquet ? chunk.Offset ?? 0 : 0,
        chunk.FirstLine,
        chunk.FirstRecord,
        chunk.Header,
        chunk.Offset is null ? null : chunk.Records);
}
