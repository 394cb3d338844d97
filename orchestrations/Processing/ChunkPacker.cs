namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Groups small chunks so one processing activity takes several of them. Fewer, larger activities win on the
/// Azure Storage engine, where each activity costs queue and table round-trips whatever its size.
/// </summary>
public static class ChunkPacker
{
    public static IReadOnlyList<IReadOnlyList<int>> Pack(IReadOnlyList<ChunkSpec> chunks, long smallBelowBytes, int maxChunksPerPack)
    {
        var packs = new List<IReadOnlyList<int>>();
        var current = new List<int>();
        long currentBytes = 0;
        foreach (var chunk in chunks)
        {
            var bytes = BytesOf(chunk);
            var alone = smallBelowBytes <= 0 || maxChunksPerPack <= 1 || bytes >= smallBelowBytes;
            if (current.Count > 0 && (alone || current.Count == maxChunksPerPack || currentBytes + bytes > smallBelowBytes))
            {
                packs.Add(current);
                current = [];
                currentBytes = 0;
            }

            if (alone)
            {
                packs.Add([chunk.Index]);
                continue;
            }

            current.Add(chunk.Index);
            currentBytes += bytes;
        }

        if (current.Count > 0)
        {
            packs.Add(current);
        }

        return packs;
    }

    /// <summary>What a chunk weighs for packing: its byte range, or its whole input when it has none.</summary>
    public static long BytesOf(ChunkSpec chunk) => chunk.Length ?? chunk.Input.Size;
}
