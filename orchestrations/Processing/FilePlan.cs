namespace Tributary.Orchestrations.Processing;

/// <summary>The chunks of one input file, or why the whole file cannot be processed.</summary>
public sealed record FilePlan(IReadOnlyList<ChunkSpec> Chunks, string? Problem)
{
    public static FilePlan Quarantine(string problem) => new([], problem);
}
