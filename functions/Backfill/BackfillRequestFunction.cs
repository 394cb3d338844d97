using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Tributary.Functions.Http;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions.Backfill;

/// <summary>
/// backfill-requests → the core's backfill. A message that can never succeed (malformed, invalid, refused
/// by the API with a 4xx) is written to backfill-requests-poison with its reason by the output binding,
/// which the runtime commits before it deletes the trigger message: nothing is lost, nothing is retried
/// in vain. Failures that may pass (exceptions, 5xx) throw, so the runtime retries up to maxDequeueCount.
/// </summary>
public sealed class BackfillRequestFunction(IRunsApiFactory apis, TimeProvider clock, ILogger<BackfillRequestFunction> logger)
{
    [Function(FunctionNames.BackfillRequest)]
    [QueueOutput(StorageQueues.BackfillRequestsPoison, Connection = AppSettings.TributaryStorage)]
    public async Task<string?> Run(
        [QueueTrigger(StorageQueues.BackfillRequests, Connection = AppSettings.TributaryStorage)] QueueMessage message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var text = message.Body?.ToString() ?? "";
        var parsed = BackfillRequestParser.Parse(text);
        if (parsed.Problem is { } invalid)
        {
            return Reject(message, text, invalid);
        }

        var result = await apis.Create(client).StartBackfillAsync(parsed.Value!, cancellationToken);
        if (result.Problem is { Status: >= 500 } transient)
        {
            throw new InvalidOperationException($"Backfill request {message.MessageId} failed ({transient.Status} {transient.Title}): {transient.Detail}");
        }

        if (result.Problem is { } refused)
        {
            return Reject(message, text, refused);
        }

        logger.LogInformation("Backfill request {MessageId} for {Dataset} started run {RunId}", message.MessageId, result.Value!.Dataset, result.Value.RunId);
        return null;
    }

    private string Reject(QueueMessage message, string text, ApiProblem problem)
    {
        var errors = problem.Errors is null ? "" : " " + string.Join("; ", problem.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
        logger.LogWarning("Backfill request {MessageId} moved to {PoisonQueue}: {Reason}{Errors}", message.MessageId, StorageQueues.BackfillRequestsPoison, problem.Detail, errors);
        var rejected = new RejectedBackfillRequest(problem.Detail, problem.Status, problem.Errors, message.MessageId, message.DequeueCount, clock.GetUtcNow(), text);
        return JsonSerializer.Serialize(rejected, RunsHttpFunctions.Json);
    }
}
