namespace Tributary.Orchestrations.Processing;

/// <summary>A chunk staged on local disk (already decompressed), ready for DuckDB.</summary>
/// <param name="SourceName">The blob the rows came from, recorded with every rejected row.</param>
/// <param name="FirstRow">Record number of the chunk's first row within its file, for rejected-row positions.</param>
public sealed record LocalChunk(string LocalPath, string Format, string SourceName, long FirstRow = 1);
