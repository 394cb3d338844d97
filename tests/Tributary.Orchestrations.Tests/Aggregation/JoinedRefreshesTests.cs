using Tributary.Orchestrations.Aggregation;

namespace Tributary.Orchestrations.Tests.Aggregation;

/// <summary>One refresh at a time per dataset; callers that arrive while one runs share the next.</summary>
public sealed class JoinedRefreshesTests
{
    [Fact]
    public async Task Callers_that_arrive_while_a_refresh_runs_share_the_next_one_to_the_newest_version_they_asked_for()
    {
        var refreshes = new JoinedRefreshes();
        var targets = new List<long>();
        var firstRunning = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        Task<AggregateRefreshResult> RefreshTo(long target)
        {
            lock (targets)
            {
                targets.Add(target);
            }

            return Finish(target);
        }

        async Task<AggregateRefreshResult> Finish(long target)
        {
            if (target == 1)
            {
                firstRunning.SetResult();
                await releaseFirst.Task;
            }

            await Task.Yield();
            return new AggregateRefreshResult(AggregateVersion: target * 10, CuratedVersion: target, GroupsRefreshed: 5, Committed: true, Full: false, Attempts: 1, CuratedFilesRead: 1);
        }

        var first = refreshes.RunAsync("taxi", "h1", 1, RefreshTo);
        await firstRunning.Task;

        // Three commits land while the first refresh runs: they wait for one refresh, to the newest of them.
        List<long> landed = [3, 4, 2];
        var waiting = landed.Select(v => refreshes.RunAsync("taxi", "h1", v, RefreshTo)).ToList();
        releaseFirst.SetResult();
        var results = await Task.WhenAll([first, .. waiting]);

        Assert.Equal([1L, 4L], targets);
        Assert.Equal((1L, false), (results[0].Result.CuratedVersion, results[0].Joined));
        Assert.All(results.Skip(1), r => Assert.Equal(4, r.Result.CuratedVersion));
        Assert.Equal(1, results.Skip(1).Count(r => !r.Joined));
    }

    [Fact]
    public async Task Other_definitions_refresh_on_their_own_in_turn_and_a_failure_reaches_every_caller_that_joined_it()
    {
        var refreshes = new JoinedRefreshes();
        var running = 0;
        var most = 0;
        var firstRunning = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        async Task<AggregateRefreshResult> RefreshTo(long target, bool fail)
        {
            most = Math.Max(most, Interlocked.Increment(ref running));
            try
            {
                if (target == 1)
                {
                    firstRunning.SetResult();
                    await releaseFirst.Task;
                }

                await Task.Yield();
                return fail ? throw new IOException("storage went away") : new AggregateRefreshResult(target, target, 1, true, false, 1, 1);
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        var first = refreshes.RunAsync("taxi", "h1", 1, t => RefreshTo(t, fail: false));
        await firstRunning.Task;
        var otherDefinition = refreshes.RunAsync("taxi", "h2", 2, t => RefreshTo(t, fail: false));
        var failing = refreshes.RunAsync("taxi", "h1", 3, t => RefreshTo(t, fail: true));
        var joinedFailing = refreshes.RunAsync("taxi", "h1", 4, t => RefreshTo(t, fail: false));
        releaseFirst.SetResult();

        Assert.Equal(2, (await otherDefinition).Result.CuratedVersion);
        Assert.False((await otherDefinition).Joined);
        await Assert.ThrowsAsync<IOException>(() => failing);
        await Assert.ThrowsAsync<IOException>(() => joinedFailing);
        Assert.Equal(1, (await first).Result.CuratedVersion);

        // One writer per dataset, whatever the definition.
        Assert.Equal(1, most);

        // After a failure the next caller starts afresh.
        var afresh = await refreshes.RunAsync("taxi", "h1", 5, t => RefreshTo(t, fail: false));
        Assert.Equal((5L, false), (afresh.Result.CuratedVersion, afresh.Joined));
    }
}
