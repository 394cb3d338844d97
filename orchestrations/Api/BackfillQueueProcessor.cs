using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Api;

/// <summary>
/// Handles one message of backfill-requests, for every host's queue trigger: a valid request starts a backfill; an
/// invalid one (bad JSON, bad fields, unknown dataset) goes to backfill-requests-poison with its reason, so nothing
/// is lost and nothing is retried in vain. A failure to start (storage down) throws: the host retries the message.
/// </summary>
public sealed class BackfillQueueProcessor(IRunsApi api, QueueServiceClient queues, ILogger<BackfillQueueProcessor> logger)
{
    public async Task<ApiResult<RunAccepted>> HandleAsync(string body, CancellationToken cancellationToken = default)
    {
        var (request, problem) = BackfillMessages.Parse(body);
        if (problem is not null)
        {
            await PoisonAsync(problem.Detail, body, cancellationToken);
            return problem;
        }

        var result = await api.StartBackfillAsync(request!, cancellationToken);
        if (result.Problem is { } refused)
        {
            await PoisonAsync(refused.Detail, body, cancellationToken);
        }

        return result;
    }

    /// <summary>Puts a message on the poison queue with why it was set aside.</summary>
    public async Task PoisonAsync(string reason, string body, CancellationToken cancellationToken = default)
    {
        var poison = queues.GetQueueClient(StorageQueues.BackfillRequestsPoison);
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await poison.SendMessageAsync(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(BackfillMessages.PoisonBody(reason, body))), cancellationToken);
        logger.LogWarning("Backfill request set aside on {Queue}: {Reason}", StorageQueues.BackfillRequestsPoison, reason);
    }
}
