using Tributary.Orchestrations.Datasets;

namespace Tributary.Orchestrations.Intake;

/// <summary>Decides which pending arrivals make the next run: pure, so the rule is tested on its own.</summary>
public static class BatchWindowPlanner
{
    /// <summary>
    /// The members of the oldest window if it is due (full by count or bytes, or older than its time limit), else
    /// nothing. <paramref name="pending"/> must be ordered by arrival.
    /// </summary>
    public static IReadOnlyList<PendingArrival> NextDueWindow(IReadOnlyList<PendingArrival> pending, BatchWindow window, DateTimeOffset now)
    {
        if (pending.Count == 0)
        {
            return [];
        }

        var count = 0;
        long bytes = 0;
        foreach (var arrival in pending)
        {
            var overCount = window.MaxFiles > 0 && count + 1 > window.MaxFiles;
            var overBytes = window.MaxBytes > 0 && bytes + arrival.Input.Size > window.MaxBytes;
            if (count > 0 && (overCount || overBytes))
            {
                return pending.Take(count).ToList();
            }

            count++;
            bytes += arrival.Input.Size;
        }

        var full = (window.MaxFiles > 0 && count >= window.MaxFiles) || (window.MaxBytes > 0 && bytes >= window.MaxBytes);
        var expired = now - pending[0].ArrivedAt >= TimeSpan.FromSeconds(window.MaxSeconds);
        return full || expired ? pending.ToList() : [];
    }
}
