namespace Tributary.Orchestrations.Models;

/// <summary>
/// One unit of processing work: a whole file, a byte range of a text file, or a range of Parquet row groups.
/// <see cref="Offset"/>/<see cref="Length"/> are bytes for text formats and row groups for Parquet; null means the whole file.
/// </summary>
public sealed record ChunkSpec(
    string RunId,
    string Dataset,
    int Index,
    BlobReference Input,
    string Format,
    long? Offset = null,
    long? Length = null);
