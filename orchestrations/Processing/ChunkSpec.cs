using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// One unit of processing work: a whole file, a byte range of a text file, or a range of Parquet row groups.
/// <see cref="Offset"/>/<see cref="Length"/> are bytes for text formats and row groups for Parquet; null means the whole file.
/// </summary>
/// <param name="FirstLine">Physical line (1-based) the chunk starts on, for text chunks; rejected rows report true line numbers.</param>
/// <param name="FirstRecord">Number (1-based) of the chunk's first data record or row in its file.</param>
/// <param name="Header">The file's CSV header line, for chunks that do not start at the top of the file.</param>
/// <param name="Records">Data records (text) or rows (Parquet) the planner counted in the chunk.</param>
/// <param name="DefinitionHash">The dataset definition frozen for the run (see FrozenDefinitions).</param>
/// <param name="Staged">
/// For a gzip text input: its decompressed copy (see <see cref="StorageLayout.StagedDecompressed"/>), which
/// <see cref="Offset"/>/<see cref="Length"/> address; <see cref="Input"/> stays the file the rows came from.
/// </param>
public sealed record ChunkSpec(
    string RunId,
    string Dataset,
    int Index,
    BlobReference Input,
    DataFormat Format,
    long? Offset = null,
    long? Length = null,
    long FirstLine = 1,
    long FirstRecord = 1,
    string? Header = null,
    long? Records = null,
    string? DefinitionHash = null,
    BlobReference? Staged = null);
