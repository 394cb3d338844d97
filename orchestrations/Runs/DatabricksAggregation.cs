using System.Globalization;
using Microsoft.DurableTask;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Aggregation.Databricks;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// The monitor pattern for a run's aggregation on Databricks, in orchestrator code (deterministic: context time,
/// durable timers, activities). Start the job run, record it, poll runs/get on a growing schedule until a terminal
/// state or the configured deadline; on the deadline cancel the Databricks run and fail; on success collect the results.
/// </summary>
public static class DatabricksAggregation
{
    private const string Engine = AggregationEngines.Databricks;

    public static async Task<AggregationOutcome> RunAsync(TaskOrchestrationContext context, AggregationRequest request, RunProgress progress)
    {
        if (request.CuratedParts.Count == 0)
        {
            return new AggregationOutcome(Engine, null, null, 0, [], AggregationState.Succeeded, "no curated rows to aggregate; no Databricks run started");
        }

        var plan = await context.CallActivityAsync<DatabricksAggregationPlan>(nameof(PrepareDatabricksRunActivity), request, IngestOrchestrator.ActivityRetry);
        if (plan.Start is null)
        {
            return new AggregationOutcome(Engine, null, null, 0, [], AggregationState.Unavailable, plan.Problem);
        }

        StartDatabricksRunOutput started;
        try
        {
            started = await context.CallActivityAsync<StartDatabricksRunOutput>(nameof(StartDatabricksRunActivity), plan.Start, IngestOrchestrator.ActivityRetry);
        }
        catch (TaskFailedException ex)
        {
            return new AggregationOutcome(Engine, null, null, 0, [], AggregationState.Failed, ex.FailureDetails.ErrorMessage);
        }

        var engineRunId = started.DatabricksRunId.ToString(CultureInfo.InvariantCulture);
        var runRef = new DatabricksRunRef(started.DatabricksRunId);
        var url = started.RunPageUrl;
        try
        {
            context.SetCustomStatus(progress with { EngineRunId = $"{Engine}:{engineRunId}" });
            await context.CallActivityAsync<string>(
                nameof(RecordEngineRunActivity),
                new EngineRunRecord(request.RunId, request.Dataset, Engine, engineRunId, url, context.CurrentUtcDateTime),
                IngestOrchestrator.ActivityRetry);

            var outcome = await PollAsync(context, started, runRef);
            if (outcome is null)
            {
                var cancel = await CancelAsync(context, runRef);
                return new AggregationOutcome(Engine, engineRunId, url, 0, [], AggregationState.TimedOut,
                    $"no terminal state within Databricks:RunTimeout ({started.RunTimeout}); {cancel}");
            }

            url = outcome.RunPageUrl ?? url;
            if (outcome.Kind != DatabricksRunOutcomeKind.Succeeded)
            {
                return new AggregationOutcome(Engine, engineRunId, url, 0, [], AggregationStates.FromEngine(outcome.State), outcome.Message, outcome.State);
            }

            return await context.CallActivityAsync<AggregationOutcome>(
                nameof(CollectDatabricksResultActivity),
                new CollectDatabricksResultInput(request.RunId, request.Dataset, started.DatabricksRunId, url, outcome.Message),
                IngestOrchestrator.ActivityRetry);
        }
        catch (TaskFailedException ex)
        {
            // Our own step failed while the Databricks run may still be running: do not leave it behind.
            var cancel = await CancelAsync(context, runRef);
            return new AggregationOutcome(Engine, engineRunId, url, 0, [], AggregationState.Failed, $"{ex.TaskName} failed: {ex.FailureDetails.ErrorMessage}; {cancel}");
        }
    }

    /// <summary>Polls until a terminal state (returned) or the deadline (null). A failed poll is retried at the next tick.</summary>
    private static async Task<DatabricksRunOutcome?> PollAsync(TaskOrchestrationContext context, StartDatabricksRunOutput started, DatabricksRunRef runRef)
    {
        var deadline = context.CurrentUtcDateTime + started.RunTimeout;
        for (var attempt = 0; ; attempt++)
        {
            var delay = started.PollSchedule.NextDelayBefore(attempt, context.CurrentUtcDateTime, deadline);
            if (delay is null)
            {
                return null;
            }

            await context.CreateTimer(context.CurrentUtcDateTime + delay.Value, CancellationToken.None);
            try
            {
                var outcome = await context.CallActivityAsync<DatabricksRunOutcome>(nameof(GetDatabricksRunActivity), runRef, IngestOrchestrator.ActivityRetry);
                if (outcome.IsTerminal)
                {
                    return outcome;
                }
            }
            catch (TaskFailedException)
            {
                // The Jobs API was unreachable through all retries of this poll: the run is unaffected, so keep
                // polling; the deadline bounds an outage.
            }
        }
    }

    private static async Task<string> CancelAsync(TaskOrchestrationContext context, DatabricksRunRef runRef)
    {
        try
        {
            await context.CallActivityAsync<bool>(nameof(CancelDatabricksRunActivity), runRef, IngestOrchestrator.ActivityRetry);
            return $"cancelled Databricks run {runRef.DatabricksRunId}";
        }
        catch (TaskFailedException ex)
        {
            return $"cancelling Databricks run {runRef.DatabricksRunId} failed: {ex.FailureDetails.ErrorMessage}";
        }
    }
}
