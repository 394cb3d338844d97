using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>A request to seal a dataset's due batch windows, on the <see cref="StorageQueues.BatchSeal"/> queue.</summary>
public sealed record BatchSealMessage(string Dataset);

/// <summary>
/// Batch windows that work at zero replicas: each arrival in a window enqueues a seal message that becomes visible
/// when a window opened by it would be due (visibility delay = the window's maxSeconds), and, for windows that also
/// close by count or size, one visible at once when the arrivals this instance has seen since its last such message
/// could fill a window (so not one per arrival: a window filled by several hosts still seals at its time limit). The
/// message wakes a worker (KEDA counts the queue) whose queue trigger asks <see cref="ArrivalBatcher.SealFromMessageAsync"/>
/// to seal; sealing is idempotent, so extra messages are harmless. The queue is created on the first send that finds it
/// missing, not before every send.
/// </summary>
public sealed class BatchSealMessages(QueueServiceClient queues)
{
    /// <summary>How long to wait before trying again when a due window could not be sealed (another batcher held the lease).</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (int Files, long Bytes)> sinceFull = new(StringComparer.Ordinal);

    public async Task ScheduleAsync(string dataset, BatchWindow window, long size, CancellationToken cancellationToken = default)
    {
        await SendAsync(dataset, TimeSpan.FromSeconds(window.MaxSeconds), cancellationToken);
        if (window.MaxFiles > 0 || window.MaxBytes > 0)
        {
            var seen = sinceFull.AddOrUpdate(dataset, (1, size), (_, s) => (s.Files + 1, s.Bytes + size));
            if ((window.MaxFiles > 0 && seen.Files >= window.MaxFiles) || (window.MaxBytes > 0 && seen.Bytes >= window.MaxBytes))
            {
                sinceFull[dataset] = (0, 0);
                await SendAsync(dataset, TimeSpan.Zero, cancellationToken);
            }
        }
    }

    public async Task SendAsync(string dataset, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        var queue = queues.GetQueueClient(StorageQueues.BatchSeal);
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new BatchSealMessage(dataset), BlobStore.Json)));
        try
        {
            await queue.SendMessageAsync(body, visibilityTimeout: delay, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await queue.SendMessageAsync(body, visibilityTimeout: delay, cancellationToken: cancellationToken);
        }
    }

    /// <summary>The dataset a message names; null for a message that is not a seal request (it is dropped).</summary>
    public static string? DatasetOf(string body)
    {
        try
        {
            var text = body.TrimStart().StartsWith('{') ? body : Encoding.UTF8.GetString(Convert.FromBase64String(body));
            return JsonSerializer.Deserialize<BatchSealMessage>(text, BlobStore.Json)?.Dataset is { Length: > 0 } dataset ? dataset : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }
    }
}
