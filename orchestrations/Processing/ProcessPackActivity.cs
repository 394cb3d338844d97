using Microsoft.DurableTask;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// The processing step a run calls: one chunk or a pack of small ones (<see cref="ProcessChunkPackActivity"/>, which
/// takes a single chunk <see cref="ProcessChunkActivity"/>'s way), then their results kept beside the run (<see cref="ChunkResultFiles"/>);
/// the run gets their path and tallies. A retry processes again and overwrites the same outputs and the same results file.
/// </summary>
public sealed class ProcessPackActivity(ProcessChunkPackActivity pack, ChunkResultFiles results)
    : TaskActivity<IReadOnlyList<ChunkSpec>, StoredChunkResults>
{
    public override async Task<StoredChunkResults> RunAsync(TaskActivityContext context, IReadOnlyList<ChunkSpec> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        if (chunks.Count == 0)
        {
            throw new ArgumentException("a pack has at least one chunk", nameof(chunks));
        }

        var processed = await pack.RunAsync(context, chunks);
        return await results.SaveAsync(chunks[0].Dataset, chunks[0].RunId, processed);
    }
}
