namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>Bounds and housekeeping of <see cref="DeltaCommitter"/>.</summary>
public sealed record DeltaCommitOptions
{
    public static DeltaCommitOptions Default { get; } = new();

    /// <summary>Attempts at writing the next version before giving up (each lost race is one conflict).</summary>
    public int MaxAttempts { get; init; } = 20;

    /// <summary>A checkpoint after every commit whose version is a multiple of this; 0 turns checkpoints off.</summary>
    public int CheckpointInterval { get; init; } = 10;

    /// <summary>How long tombstones stay in checkpoints (Delta's delta.deletedFileRetentionDuration default).</summary>
    public TimeSpan TombstoneRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>commitInfo.engineInfo.</summary>
    public string EngineInfo { get; init; } = "Tributary";

    /// <summary>The table's name on the commit conflict and retry metrics (tributary.table); null leaves it off.</summary>
    public string? Table { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// A snapshot of this table the writer already holds (from its last commit): the commit reads only the commit files
    /// after it instead of the log from its last checkpoint. Null reads the latest snapshot.
    /// </summary>
    public DeltaSnapshot? Known { get; init; }

    /// <summary>Told of a checkpoint that failed (the commit itself stands); hook logging here.</summary>
    public Action<long, Exception>? OnCheckpointFailed { get; init; }
}
