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
    /// The wait after a poll that failed: one interval, or longer only for the part of it that grew with the backlog
    /// (<paramref name="cost"/>, a listing that completed before the failure). Never a multiple of the failure's own
    /// time: that is the storage client's retries against storage that is down, not backlog, and resting three times it
    /// left a file dropped during a 60 s outage untaken for 79 s after storage was back (bench faults --outage 60).
    /// </summary>
    public static TimeSpan DelayAfterFailure(TimeSpan interval, TimeSpan cost) => DelayAfter(interval, TimeSpan.Zero, cost);

    /// <summary>
    /// Runs <paramref name="poll"/> until cancelled, resting after the part of each poll it returns: what grows with the
    /// backlog (a listing), not the work the poll found and handed over (arrivals, whose cost is the arrivals'). A poll
    /// that throws is handed to <paramref name="failed"/> (which logs it and says what of it was backlog) and retried
    /// after <see cref="DelayAfterFailure"/>: the host never stops polling because of one failure.
    /// </summary>
    public static async Task RunAsync(TimeSpan interval, Func<CancellationToken, Task<TimeSpan>> poll, Func<Exception, TimeSpan> failed, CancellationToken cancellationToken)
    {
        while (true)
        {
            var clock = Stopwatch.StartNew();
            TimeSpan delay;
            try
            {
                var cost = await poll(cancellationToken);
                delay = DelayAfter(interval, clock.Elapsed, cost);
            }
            catch (Exception ex) when (!ex.IsShutdownOf(cancellationToken))
            {
                // A poll loop that ended here would stop the host taking anything in.
                delay = DelayAfterFailure(interval, failed(ex));
            }

            await Task.Delay(delay, cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="poll"/> until cancelled, paced by <see cref="DelayAfter"/> (all of a poll counts); a failed poll as above.</summary>
    public static Task RunAsync(TimeSpan interval, Func<CancellationToken, Task> poll, Func<Exception, TimeSpan> failed, CancellationToken cancellationToken) =>
        RunAsync(interval, async token =>
        {
            var clock = Stopwatch.StartNew();
            await poll(token);
            return clock.Elapsed;
        }, failed, cancellationToken);
}
