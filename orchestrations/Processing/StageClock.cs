using System.Diagnostics;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// The chunk's one clock: its total time (the result's Seconds and StartedAt) and where that time goes by stage
/// (logged with its counts): what to speed up next.
/// </summary>
internal sealed class StageClock
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan last;
    public TimeSpan Staging, SlotWait, DuckDb, Stats, Upload;

    private bool shared;

    /// <summary>
    /// Time since the chunk started, stages or not; for a chunk that shared its work with others, the sum of its own
    /// stages, its share of the shared ones included (the pack's time is not counted once per chunk).
    /// </summary>
    public TimeSpan Elapsed => shared ? Staging + SlotWait + DuckDb + Stats + Upload : clock.Elapsed;

    /// <summary>Marks the chunk as one of several sharing a pass; its shares are set with <see cref="Share"/>.</summary>
    public void SharesWork() => shared = true;

    /// <summary>This chunk's part of a time spent for several.</summary>
    public static TimeSpan Share(TimeSpan time, long part, long whole, int count) =>
        whole > 0 ? time * ((double)part / whole) : time / Math.Max(count, 1);

    /// <summary>Starts the first stage's lap now: the set-up before it counts in the total only.</summary>
    public void BeginLaps() => last = clock.Elapsed;

    public void Lap(ref TimeSpan stage)
    {
        var now = clock.Elapsed;
        stage += now - last;
        last = now;
    }
}
