namespace Tributary.Deploy.Tests.Scaling;

/// <summary>The HPA rule for an AverageValue metric, as KEDA feeds it: desired = ceil(metric / target).</summary>
public static class ReplicaFormula
{
    public static int Desired(long metric, int targetPerReplica, int minReplicas, int maxReplicas) =>
        (int)Math.Clamp((long)Math.Ceiling(metric / (double)targetPerReplica), Math.Max(minReplicas, 1), maxReplicas);
}
