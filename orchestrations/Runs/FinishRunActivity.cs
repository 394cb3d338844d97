using Microsoft.DurableTask;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Processing;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// A succeeded run's end in one activity (<see cref="RunShapeOptions.FinishInOneActivity"/>): the drafted manifest's
/// chunks read back (<see cref="ChunkResultFiles"/>), the table commit and the local refresh
/// (<see cref="CommitAndRefreshActivity"/>), then the manifest, last, and the inputs leaving incoming
/// (<see cref="CommitRunAndArchiveActivity"/>). A refresh that did not succeed writes no manifest here: the orchestrator
/// decides that run's verdict and writes it. Each step keeps its idempotency, so a redelivered activity finds its commit,
/// its refresh reflected, and writes the same manifest again.
/// </summary>
public sealed class FinishRunActivity(ChunkResultFiles results, CommitAndRefreshActivity commitAndRefresh, CommitRunAndArchiveActivity commitRun)
    : TaskActivity<FinishRunRequest, FinishedRun>
{
    public override async Task<FinishedRun> RunAsync(TaskActivityContext context, FinishRunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var draft = await results.CompleteAsync(request.Manifest);
        var done = await commitAndRefresh.RunAsync(context, CommitAndRefreshRequest.Of(draft));
        if (done.Aggregation.State != AggregationState.Succeeded)
        {
            return new FinishedRun(done, null);
        }

        return new FinishedRun(done, await commitRun.RunAsync(context, draft.Finished(done, DateTime.UtcNow)));
    }
}
