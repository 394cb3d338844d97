using Microsoft.DurableTask;
using Tributary.Orchestrations.Processing;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// A run's chunk results read back from where its processing kept them, for the steps that still take them by value:
/// the separate table commit and refresh (levers off, a finish that failed, an external engine). The default finish
/// reads them itself and never brings them into the run's history.
/// </summary>
public sealed class ReadChunkResultsActivity(ChunkResultFiles results) : TaskActivity<IReadOnlyList<string>, IReadOnlyList<ChunkResult>>
{
    public override Task<IReadOnlyList<ChunkResult>> RunAsync(TaskActivityContext context, IReadOnlyList<string> paths) => results.ReadAsync(paths);
}
