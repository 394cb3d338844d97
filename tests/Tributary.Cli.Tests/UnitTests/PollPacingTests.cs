using Tributary.Cli.Hosting;

namespace Tributary.Cli.Tests.UnitTests;

/// <summary>Polls whose cost grows with a backlog keep their interval while quick and rest three times their duration when slow.</summary>
public sealed class PollPacingTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(10, 990)]     // a quick scan: the next one a second after the last began, as before
    [InlineData(250, 750)]    // the turning point: a quarter of the time polling
    [InlineData(400, 1200)]   // slower: rest three times its duration
    [InlineData(3000, 9000)]  // 10,000 blobs listed in 3 s: the next scan 9 s after it ended, not at once
    public void The_wait_after_a_poll_is_the_rest_of_the_interval_or_three_times_its_duration(int tookMs, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), PollPacing.DelayAfter(Second, TimeSpan.FromMilliseconds(tookMs)));
    }

    [Theory]
    [InlineData(3000, 50, 150)]    // a scan that sealed a drop for 3 s after a 50 ms listing: rests for the listing only
    [InlineData(400, 50, 600)]     // a quick listing and some intake work: the rest of the interval
    [InlineData(3000, 3000, 9000)] // all of it listing: as before
    public void The_rest_follows_the_part_of_the_poll_that_grows_with_the_backlog(int tookMs, int costMs, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), PollPacing.DelayAfter(Second, TimeSpan.FromMilliseconds(tookMs), TimeSpan.FromMilliseconds(costMs)));
    }

    [Fact]
    public async Task Polls_run_until_cancelled_and_the_cancellation_ends_the_loop()
    {
        using var stop = new CancellationTokenSource();
        var polls = 0;
        var loop = PollPacing.RunAsync(TimeSpan.FromMilliseconds(10), _ =>
        {
            if (++polls == 3)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        }, _ => TimeSpan.Zero, stop.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
        Assert.Equal(3, polls);
    }

    [Theory]
    [InlineData(0, 1000)]     // storage down: one interval, whatever the client's retries took
    [InlineData(50, 1000)]    // the listing was done and quick: one interval
    [InlineData(3000, 9000)]  // the listing of a large backlog was done, then intake failed: rest for the listing
    public void After_a_failed_poll_the_wait_is_an_interval_or_the_rest_its_listing_asks_never_the_failures_own_time(int costMs, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), PollPacing.DelayAfterFailure(Second, TimeSpan.FromMilliseconds(costMs)));
    }

    [Fact]
    public async Task A_poll_that_throws_even_a_timeouts_cancellation_is_handed_to_the_failure_callback_and_polling_goes_on()
    {
        using var stop = new CancellationTokenSource();
        var polls = 0;
        var failures = new List<Exception>();
        var loop = PollPacing.RunAsync(TimeSpan.FromMilliseconds(10), _ =>
        {
            if (++polls == 3)
            {
                stop.Cancel();
                return Task.CompletedTask;
            }

            // A timeout surfaces as a TaskCanceledException that is not the loop's own cancellation: a failure too.
            throw polls == 1 ? new InvalidOperationException($"storage down ({polls})") : new TaskCanceledException($"storage down ({polls})");
        }, ex =>
        {
            failures.Add(ex);
            return TimeSpan.Zero;
        }, stop.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
        Assert.Equal(3, polls);
        Assert.Equal(["storage down (1)", "storage down (2)"], failures.Select(f => f.Message));
    }
}
