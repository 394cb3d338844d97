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

    /// <summary>Time since the chunk started, stages or not.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>Starts the first stage's lap now: the set-up before it counts in the total only.</summary>
    public void BeginLaps() => last = clock.Elapsed;

    public void Lap(ref TimeSpan stage)
    {
        var now = clock.Elapsed;
        stage += now - last;
        last = now;
    }
}
