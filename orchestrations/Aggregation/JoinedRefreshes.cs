using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations.Aggregation;

/// <summary>
/// The aggregate refreshes of one dataset on this host: one runs at a time, and every caller that arrives while one
/// runs joins the next, which goes to the newest version any of them asked for. A burst of commits then waits for about
/// two refreshes, not one turn each: with a turn each, the callers after a refresh found it already done one by one,
/// each read of the aggregate's log holding its activity slot (bench/README.md, "where one-file runs wait").
/// </summary>
public sealed class JoinedRefreshes
{
    private readonly OneWriterPerDataset writers = new();
    private readonly Dictionary<string, NextRefresh> next = new(StringComparer.Ordinal);

    /// <summary>
    /// Refreshes <paramref name="dataset"/> to at least <paramref name="version"/> with <paramref name="refreshTo"/>, or
    /// joins the refresh about to run. Callers with different <paramref name="group"/>s (definitions) never join.
    /// </summary>
    /// <returns>The refresh's result, and whether it was another caller's that this one joined.</returns>
    public async Task<(AggregateRefreshResult Result, bool Joined)> RunAsync(string dataset, string group, long version, Func<long, Task<AggregateRefreshResult>> refreshTo)
    {
        ArgumentNullException.ThrowIfNull(refreshTo);
        var key = $"{dataset}\n{group}";
        NextRefresh refresh;
        var joined = false;
        lock (next)
        {
            if (next.TryGetValue(key, out var waiting))
            {
                waiting.Target = Math.Max(waiting.Target, version);
                refresh = waiting;
                joined = true;
            }
            else
            {
                refresh = new NextRefresh(version);
                next[key] = refresh;
            }
        }

        if (!joined)
        {
            // Started outside the lock: with the writer free it runs on this thread up to its first wait.
            _ = RunWhenFreeAsync(dataset, key, refresh, refreshTo);
        }

        var result = await refresh.Done.Task.ConfigureAwait(false);
        return (result, joined);
    }

    private async Task RunWhenFreeAsync(string dataset, string key, NextRefresh refresh, Func<long, Task<AggregateRefreshResult>> refreshTo)
    {
        try
        {
            var result = await writers.RunAsync(dataset, () =>
            {
                long target;
                lock (next)
                {
                    // From here on, callers start the refresh after this one.
                    next.Remove(key);
                    target = refresh.Target;
                }

                return refreshTo(target);
            }).ConfigureAwait(false);
            refresh.Done.SetResult(result);
        }
        catch (Exception ex)
        {
            refresh.Done.SetException(ex);
        }
    }

    private sealed class NextRefresh(long target)
    {
        public long Target { get; set; } = target;

        public TaskCompletionSource<AggregateRefreshResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
