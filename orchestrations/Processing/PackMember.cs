namespace Tributary.Orchestrations.Processing;

/// <summary>One staged chunk of a pack, where its curated part and rejects go, and its own scratch folder.</summary>
public sealed record PackMember(LocalChunk Chunk, string CuratedPath, string RejectedPath, string WorkDirectory);
