using System.Diagnostics;

namespace Tributary.Cli.Hosting;

/// <summary>
/// The schedule of a poll whose cost grows with a backlog (the watcher lists all of incoming, the batcher every waiting
/// arrival): every interval while a poll is quick, and never sooner than <see cref="RestPerPollTime"/> times the last
/// poll's duration after it ended, so polling holds storage and this host at most a quarter of the time however large
/// the backlog grows. A listing of 10,000 blobs with metadata takes Azurite 2-4 s: polled every second, it never rested.
/// </summary>
public static class PollPacing
{
    public const int RestPerPollTime = 3;

    /// <summary>
    /// The wait after a poll that took <paramref name="took"/>, of which <paramref name="cost"/> (all of it unless
    /// given) grows with the backlog.
    /// </summary>
    public static TimeSpan DelayAfter(TimeSpan interval, TimeSpan took, TimeSpan? cost = null)
    {
        var rest = (cost ?? took) * RestPerPollTime;
        var untilInterval = interval - took;
        return untilInterval > rest ? untilInterval : rest;
    }

    /// <summary>
    /// Runs <paramref name="poll"/> until cancelled, resting after the part of each poll it returns: what grows with the
    /// backlog (a listing), not the work the poll found and handed over (arrivals, whose cost is the arrivals').
    /// </summary>
    public static async Task RunAsync(TimeSpan interval, Func<CancellationToken, Task<TimeSpan>> poll, CancellationToken cancellationToken)
    {
        while (true)
        {
            var clock = Stopwatch.StartNew();
            var cost = await poll(cancellationToken);
            await Task.Delay(DelayAfter(interval, clock.Elapsed, cost), cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="poll"/> until cancelled, paced by <see cref="DelayAfter"/> (all of a poll counts).</summary>
    public static Task RunAsync(TimeSpan interval, Func<CancellationToken, Task> poll, CancellationToken cancellationToken) =>
        RunAsync(interval, async token =>
        {
            var clock = Stopwatch.StartNew();
            await poll(token);
            return clock.Elapsed;
        }, cancellationToken);
}
