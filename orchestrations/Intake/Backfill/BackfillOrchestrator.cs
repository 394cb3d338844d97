using Microsoft.DurableTask;
using Tributary.Orchestrations.Runs;

namespace Tributary.Orchestrations.Intake.Backfill;

/// <summary>
/// Reprocesses a dataset's blobs: lists them page by page through an activity, runs each batch as an ingest
/// sub-orchestration with bounded parallelism, and calls ContinueAsNew every few pages so the history stays
/// bounded however many blobs there are. Progress goes to the custom status. Deterministic: all I/O is in activities.
/// </summary>
public sealed class BackfillOrchestrator : TaskOrchestrator<BackfillState, BackfillProgress>
{
    public override async Task<BackfillProgress> RunAsync(TaskOrchestrationContext context, BackfillState state)
    {
        var progress = state.Progress with { Phase = BackfillProgress.Listing, Generation = state.Generation };
        context.SetCustomStatus(progress);

        var inFlight = new List<Task<(int Inputs, bool Succeeded)>>();
        var continuation = state.Continuation;
        var page = state.Page;
        var pagesThisGeneration = 0;
        do
        {
            var listed = await context.CallActivityAsync<BackfillPage>(
                nameof(ListBackfillPageActivity),
                new BackfillPageRequest(state.BackfillId, state.Request, continuation, page, state.PageSize, state.BatchSize, state.MaxChunksInFlight),
                IngestOrchestrator.ActivityRetry);
            progress = progress with
            {
                Pages = page + 1,
                Listed = progress.Listed + listed.Listed,
                Skipped = progress.Skipped + listed.Skipped,
                Scheduled = progress.Scheduled + listed.Runs.Sum(r => r.Inputs.Count),
                Runs = progress.Runs + listed.Runs.Count,
            };
            context.SetCustomStatus(progress);

            foreach (var run in listed.Runs)
            {
                while (inFlight.Count >= Math.Max(1, state.MaxParallel))
                {
                    progress = Tally(progress, await NextDoneAsync(inFlight));
                    context.SetCustomStatus(progress);
                }

                inFlight.Add(RunBatchAsync(context, run));
            }

            continuation = listed.Continuation;
            page++;
            pagesThisGeneration++;
        }
        while (continuation is not null && pagesThisGeneration < Math.Max(1, state.PagesPerGeneration));

        // A generation ends with nothing in flight, so ContinueAsNew carries no open work.
        while (inFlight.Count > 0)
        {
            progress = Tally(progress, await NextDoneAsync(inFlight));
            context.SetCustomStatus(progress);
        }

        if (continuation is not null)
        {
            context.ContinueAsNew(state with { Continuation = continuation, Page = page, Generation = state.Generation + 1, Progress = progress });
            return progress;
        }

        progress = progress with { Phase = BackfillProgress.Completed };
        context.SetCustomStatus(progress);
        return progress;
    }

    private static async Task<(int Inputs, bool Succeeded)> RunBatchAsync(TaskOrchestrationContext context, IngestRequest run)
    {
        try
        {
            var manifest = await context.CallSubOrchestratorAsync<RunManifest>(nameof(IngestOrchestrator), run, new SubOrchestrationOptions { InstanceId = run.RunId });
            return (run.Inputs.Count, manifest.Status == RunStatus.Succeeded);
        }
        catch (TaskFailedException)
        {
            return (run.Inputs.Count, false);
        }
    }

    private static async Task<(int Inputs, bool Succeeded)> NextDoneAsync(List<Task<(int Inputs, bool Succeeded)>> inFlight)
    {
        var done = await Task.WhenAny(inFlight);
        inFlight.Remove(done);
        return await done;
    }

    private static BackfillProgress Tally(BackfillProgress progress, (int Inputs, bool Succeeded) batch) => batch.Succeeded
        ? progress with { Done = progress.Done + batch.Inputs }
        : progress with { Failed = progress.Failed + batch.Inputs };
}
