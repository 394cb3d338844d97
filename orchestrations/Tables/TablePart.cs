using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tables;

/// <summary>One curated part of a run, as its table commit adds it: where it is (by chunk), whose rows it holds, its size and Delta stats.</summary>
public sealed record TablePart(int ChunkIndex, BlobReference Input, long Bytes, string? Stats);
