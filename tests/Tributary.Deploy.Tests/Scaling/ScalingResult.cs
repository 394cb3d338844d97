namespace Tributary.Deploy.Tests.Scaling;

public sealed record ReplicaSample(int Second, int Replicas, long Backlog);

public sealed record ScalingResult(
    IReadOnlyList<ReplicaSample> Curve,
    int? DrainSeconds,
    int? ScaledToZeroSeconds,
    int PeakReplicas,
    long ReplicaSeconds);
