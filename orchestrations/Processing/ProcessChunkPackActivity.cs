using Microsoft.DurableTask;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Processes several small chunks in one activity, one after another, exactly as <see cref="ProcessChunkActivity"/>
/// does each (same deterministic outputs, so a retried pack overwrites what it wrote before).
/// </summary>
public sealed class ProcessChunkPackActivity(ProcessChunkActivity single) : TaskActivity<IReadOnlyList<ChunkSpec>, IReadOnlyList<ChunkResult>>
{
    public override async Task<IReadOnlyList<ChunkResult>> RunAsync(TaskActivityContext context, IReadOnlyList<ChunkSpec> pack)
    {
        var results = new List<ChunkResult>(pack.Count);
        foreach (var chunk in pack)
        {
            results.Add(await single.RunAsync(context, chunk));
        }

        return results;
    }
}
