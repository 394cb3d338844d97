using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Azure;
using Azure.Storage.Queues;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Telemetry;

/// <summary>
/// The approximate message counts of the intake queues (blob-created, batch-seal, backfill-requests), sampled by a
/// host on a timer (<see cref="RefreshAsync"/>) and read by the <c>tributary.queue.backlog</c> gauge. A gauge callback
/// must not do I/O, so it reads the last sample. Orchestrators never touch this.
/// </summary>
public sealed class QueueBacklog : IDisposable
{
    public static readonly IReadOnlyList<string> Watched = [StorageQueues.BlobCreated, StorageQueues.BatchSeal, StorageQueues.BackfillRequests];

    private static readonly ConcurrentDictionary<QueueBacklog, byte> Live = new();

    private static readonly ObservableGauge<long> Gauge = TributaryTelemetry.Meter.CreateObservableGauge(
        "tributary.queue.backlog", ObserveAll, "{message}", "Approximate messages waiting in an intake queue (sampled every few seconds).");

    private readonly QueueServiceClient queues;
    private readonly ConcurrentDictionary<string, long> counts = new(StringComparer.Ordinal);

    public QueueBacklog(QueueServiceClient queues)
    {
        this.queues = queues;
        _ = Gauge; // the gauge exists from the first backlog on
        Live.TryAdd(this, 0);
    }

    public IReadOnlyDictionary<string, long> Counts => counts;

    /// <summary>Reads each watched queue's approximate count; a queue not created yet has none waiting.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        foreach (var name in Watched)
        {
            try
            {
                var properties = await queues.GetQueueClient(name).GetPropertiesAsync(cancellationToken);
                counts[name] = properties.Value.ApproximateMessagesCount;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                counts[name] = 0;
            }
        }
    }

    public void Dispose() => Live.TryRemove(this, out _);

    private static IEnumerable<Measurement<long>> ObserveAll() =>
        Live.Keys.SelectMany(backlog => backlog.counts.Select(count =>
            new Measurement<long>(count.Value, new KeyValuePair<string, object?>(TributaryTelemetry.Attributes.Queue, count.Key))));
}
