using Microsoft.DurableTask;
using Tributary.Orchestrations.Aggregation;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// A succeeded run's end in one activity (<see cref="RunShapeOptions.FinishInOneActivity"/>): the table commit and the
/// local refresh (<see cref="CommitAndRefreshActivity"/>), then the manifest, last, and the inputs leaving incoming
/// (<see cref="CommitRunAndArchiveActivity"/>). A refresh that did not succeed writes no manifest here: the orchestrator
/// decides that run's verdict and writes it. Each step keeps its idempotency, so a redelivered activity finds its commit,
/// its refresh reflected, and writes the same manifest again.
/// </summary>
public sealed class FinishRunActivity(CommitAndRefreshActivity commitAndRefresh, CommitRunAndArchiveActivity commitRun)
    : TaskActivity<FinishRunRequest, FinishedRun>
{
    public override async Task<FinishedRun> RunAsync(TaskActivityContext context, FinishRunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var done = await commitAndRefresh.RunAsync(context, CommitAndRefreshRequest.Of(request.Manifest));
        if (done.Aggregation.State != AggregationState.Succeeded)
        {
            return new FinishedRun(done, null);
        }

        var at = DateTime.UtcNow;
        await commitRun.RunAsync(context, request.Manifest.Finished(done, at));
        return new FinishedRun(done, at);
    }
}
