namespace Tributary.Deploy.Tests.Scaling;

/// <summary>
/// One-second steps of: arrivals into the work-item queue, workers running chunks, and every pollingInterval
/// KEDA/HPA deciding the replica count. The metric is the queue length including in-flight (invisible)
/// messages, which is what azure-queue reports by default. Scale-up is limited by the HPA policy, scale-down by
/// the stabilization window and the pods-per-minute policy; 1 to 0 only after cooldownPeriod without work.
/// </summary>
public static class ScalingSimulation
{
    public static ScalingResult Run(ArrivalProfile profile, ScalerSettings settings, int maxSeconds = 3 * 3600)
    {
        var curve = new List<ReplicaSample>();
        var podReadyAt = new List<int>();          // one entry per replica
        var running = new PriorityQueue<int, int>(); // finish second of each in-flight chunk
        var desiredHistory = new List<(int Second, int Desired)>();
        long queued = 0, arrived = 0;
        double arrivalCarry = 0;
        int lastActive = 0, lastScaleDown = -3600, peak = 0;
        int? drained = null, scaledToZero = null;
        long replicaSeconds = 0;

        for (var t = 0; t < maxSeconds; t++)
        {
            if (t < profile.BurstSeconds)
            {
                arrivalCarry += profile.BlobsPerSecond;
                var blobs = (long)Math.Floor(arrivalCarry);
                arrivalCarry -= blobs;
                queued += blobs * profile.ChunksPerBlob;
                arrived += blobs * profile.ChunksPerBlob;
            }
            while (running.TryPeek(out _, out var finish) && finish <= t)
            {
                running.Dequeue();
            }
            var capacity = podReadyAt.Count(ready => ready <= t) * settings.ConcurrencyPerReplica;
            while (queued > 0 && running.Count < capacity)
            {
                queued--;
                running.Enqueue(t + profile.ChunkSeconds, t + profile.ChunkSeconds);
            }

            var metric = queued + running.Count;
            if (t % settings.PollingIntervalSeconds == 0)
            {
                if (metric > 0)
                {
                    lastActive = t;
                }
                var current = podReadyAt.Count;
                var next = current;
                if (metric > 0 || current > 0)
                {
                    var desired = ReplicaFormula.Desired(metric, settings.TargetPerReplica, settings.MinReplicas, settings.MaxReplicas);
                    desiredHistory.Add((t, desired));
                    desiredHistory.RemoveAll(h => h.Second < t - settings.ScaleDownStabilizationSeconds);
                    if (current == 0)
                    {
                        next = 1; // KEDA activates 0 -> 1, the HPA takes over from there
                    }
                    else if (desired > current)
                    {
                        next = Math.Min(desired, Math.Max(current + settings.ScaleUpMaxPods, 2 * current));
                    }
                    else
                    {
                        var stabilized = desiredHistory.Max(h => h.Desired);
                        if (stabilized < current && t - lastScaleDown >= 60)
                        {
                            next = Math.Max(stabilized, current - settings.ScaleDownPodsPerMinute);
                            lastScaleDown = t;
                        }
                    }
                    if (metric == 0 && settings.MinReplicas == 0 && t - lastActive >= settings.CooldownSeconds)
                    {
                        next = 0;
                    }
                }
                if (next > current)
                {
                    podReadyAt.AddRange(Enumerable.Repeat(t + settings.PodStartSeconds, next - current));
                }
                else if (next < current)
                {
                    podReadyAt.RemoveRange(next, current - next); // a stopping pod finishes its chunks (grace period)
                }
                if (next != current || t % 60 == 0)
                {
                    curve.Add(new ReplicaSample(t, next, metric));
                }
            }

            replicaSeconds += podReadyAt.Count;
            peak = Math.Max(peak, podReadyAt.Count);
            if (drained is null && t >= profile.BurstSeconds && arrived == profile.TotalChunks && metric == 0)
            {
                drained = t;
            }
            if (drained is not null && podReadyAt.Count == 0)
            {
                scaledToZero = t;
                break;
            }
        }
        return new ScalingResult(curve, drained, scaledToZero, peak, replicaSeconds);
    }
}
