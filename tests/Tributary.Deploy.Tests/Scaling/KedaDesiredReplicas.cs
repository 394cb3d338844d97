using System.Globalization;
using Tributary.Deploy.Tests.Keda;

namespace Tributary.Deploy.Tests.Scaling;

/// <summary>What the storage account holds, as KEDA's scalers read it.</summary>
/// <param name="Queues">Per queue: visible messages and invisible (delayed or in-flight) ones.</param>
/// <param name="Blobs">Per container: blob count.</param>
public sealed record StorageState(IReadOnlyDictionary<string, (long Visible, long Invisible)> Queues, IReadOnlyDictionary<string, long> Blobs)
{
    public long QueueMetric(string queue, string strategy) =>
        Queues.TryGetValue(queue, out var q) ? (strategy == "visibleonly" ? Math.Min(q.Visible, 32) : q.Visible + q.Invisible) : 0;

    public long BlobCount(string container) => Blobs.GetValueOrDefault(container);
}

/// <summary>
/// KEDA's decision for a rendered ScaledObject: each trigger's metric against its activation threshold (default 0);
/// no active trigger and minReplicaCount 0 → 0 replicas; otherwise the HPA's max over triggers of ceil(metric / target),
/// within the bounds. A cron trigger is active inside its window (see <see cref="KedaCronWindow"/>) and then asks for
/// its desiredReplicas; without a time (<c>at</c> null) every cron trigger counts as outside its window.
/// </summary>
public static class KedaDesiredReplicas
{
    public static int Desired(ScaledObject scaled, StorageState storage, DateTimeOffset? at = null)
    {
        var spec = scaled.Spec;
        var min = spec.MinReplicaCount ?? 0;
        var max = spec.MaxReplicaCount ?? 100;
        var active = new List<int>();
        foreach (var trigger in spec.Triggers)
        {
            var (metric, target, activation) = trigger.Type switch
            {
                "azure-queue" => (
                    storage.QueueMetric(trigger.Metadata["queueName"], trigger.Metadata.GetValueOrDefault("queueLengthStrategy", "all")),
                    Number(trigger, "queueLength", 5),
                    Number(trigger, "activationQueueLength", 0)),
                "azure-blob" => (
                    storage.BlobCount(trigger.Metadata["blobContainerName"]),
                    Number(trigger, "blobCount", 5),
                    Number(trigger, "activationBlobCount", 0)),
                "cron" => (
                    at is { } now && KedaCronWindow.IsActive(trigger, now) ? Number(trigger, "desiredReplicas", 1) : 0,
                    1L,
                    0L),
                _ => throw new InvalidOperationException($"unknown trigger type {trigger.Type}"),
            };
            if (metric > activation)
            {
                active.Add(ReplicaFormula.Desired(metric, (int)target, min, max));
            }
        }

        return active.Count == 0 ? min : Math.Max(min, active.Max());
    }

    private static long Number(ScaleTrigger trigger, string key, long fallback) =>
        trigger.Metadata.TryGetValue(key, out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
