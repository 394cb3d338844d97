namespace Tributary.Cli.Runtime;

/// <summary>Tuning of the Durable Task engine on Azure Storage for the standalone host.</summary>
public sealed class EngineSettings
{
    public const string Section = "Tributary:Engine";

    public int PartitionCount { get; set; } = 4;

    /// <summary>
    /// How long a message locked by a crashed worker stays invisible. The default (5 min) makes recovery after a
    /// crash wait 5 minutes; 30 s recovers quickly, and in-flight activity work items are kept locked by
    /// <see cref="ActivityLockRenewal"/> every <see cref="ActivityLockRenewInterval"/>.
    /// </summary>
    public TimeSpan QueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running activity's message is made invisible again: a third of the visibility timeout.</summary>
    public TimeSpan ActivityLockRenewInterval => TimeSpan.FromTicks(QueueVisibilityTimeout.Ticks / 3);

    /// <summary>Partition lease length: a crashed owner's partitions move after this.</summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Activities dispatched at once. Each one waits on storage round-trips, and a run's end on its dataset's one
    /// writer and one refresh, far longer than it computes, so this is well above the core count: on 2 cores a
    /// 200-activity fan-out took 31 s at 4, 14.5 s at 16 and 13.6 s at 32, and 100 one-file runs 4.6 runs/s at 16
    /// against 6.1 at 64 (bench/README.md, "Joined refreshes"). Memory does not follow it: DuckDB runs only in the
    /// chunk slots (PipelineOptions.ChunksInFlight).
    /// </summary>
    public int MaxConcurrentActivities { get; set; } = Environment.ProcessorCount * 32;

    /// <summary>
    /// Orchestration episodes processed at once. An episode mostly waits on history reads and writes in storage, so
    /// the old 4 on 2 cores bound the whole engine to ~6 activities/s: one run per file, 100 files, went from 1.67 to
    /// 2.88 runs/s at 32 (bench/README.md, "Run shape"). A fan-out is still bounded by the activity settings.
    /// </summary>
    public int MaxConcurrentOrchestrations { get; set; } = Math.Max(32, Environment.ProcessorCount * 16);

    /// <summary>
    /// How long the worker's work-item stream may stay silent before the worker drops it and reconnects; zero (the
    /// default) never. The SDK's worker (1.28) does so after 120 s, counting on the health pings the Durable Task
    /// Scheduler sends while idle; this sidecar sends none, so an idle serve warned "Channel to backend has stopped
    /// receiving traffic, will attempt to reconnect" and rebuilt its stream every 2 minutes. The stream is loopback
    /// inside one process: it cannot go silent while both ends live.
    /// </summary>
    public TimeSpan WorkerSilentDisconnectTimeout { get; set; } = TimeSpan.Zero;
}
