namespace Tributary.Orchestrations.Processing.Text;

/// <summary>
/// A byte range of a text file that starts at a record start and ends at a record end, so each record is
/// owned by exactly one chunk. <see cref="FirstLine"/> and <see cref="FirstRecord"/> are 1-based positions
/// in the whole file of the chunk's first line and first data record (header and blank lines are not records).
/// </summary>
public sealed record TextChunk(long Offset, long Length, long FirstLine, long FirstRecord, long Records);
