using System.Globalization;
using Tributary.Deploy.Tests.Keda;

namespace Tributary.Deploy.Tests.Scaling;

/// <summary>The knobs of KEDA and the HPA that shape the replica curve, plus how fast a worker works.</summary>
public sealed record ScalerSettings(
    int PollingIntervalSeconds,
    int CooldownSeconds,
    int MinReplicas,
    int MaxReplicas,
    int TargetPerReplica,
    int ConcurrencyPerReplica,
    int PodStartSeconds,
    int ScaleUpMaxPods,
    int ScaleDownStabilizationSeconds,
    int ScaleDownPodsPerMinute)
{
    /// <summary>Reads the committed ScaledObject: the work-item trigger drives activities, the unit simulated.</summary>
    public static ScalerSettings From(ScaledObject scaled, HostSettings host, int podStartSeconds = 30)
    {
        var spec = scaled.Spec;
        var behavior = spec.Advanced?.HorizontalPodAutoscalerConfig?.Behavior;
        var workItems = spec.Triggers.Single(t => t.Metadata.GetValueOrDefault("queueName") == host.WorkItemQueue);
        return new ScalerSettings(
            spec.PollingInterval ?? 30,
            spec.CooldownPeriod ?? 300,
            spec.MinReplicaCount ?? 0,
            spec.MaxReplicaCount ?? 100,
            int.Parse(workItems.Metadata["queueLength"], CultureInfo.InvariantCulture),
            host.MaxConcurrentActivityFunctions,
            podStartSeconds,
            behavior?.ScaleUp?.Policies.Where(p => p.Type == "Pods").Select(p => p.Value).DefaultIfEmpty(4).Max() ?? 4,
            behavior?.ScaleDown?.StabilizationWindowSeconds ?? 300,
            behavior?.ScaleDown?.Policies.Where(p => p.Type == "Pods").Select(p => p.Value).DefaultIfEmpty(1).Min() ?? 1);
    }
}
