namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Deterministic poll schedule for a Databricks run, for the orchestrator's durable timers:
/// <c>Min × Factor^attempt</c>, capped at <c>Max</c> (defaults 10 s, 15 s, 22.5 s, 33.75 s, 50.6 s, 60 s, 60 s …).
/// A pure function of its inputs: safe to call in orchestrator code.
/// </summary>
/// <param name="Min">Delay before the first poll.</param>
/// <param name="Max">Largest delay.</param>
/// <param name="Factor">Growth per attempt (1 = constant).</param>
public sealed record DatabricksPollSchedule(TimeSpan Min, TimeSpan Max, double Factor)
{
    /// <summary>10 s growing by 1.5× to 60 s.</summary>
    public static DatabricksPollSchedule Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), 1.5);

    /// <summary>Delay before poll number <paramref name="attempt"/> (0-based).</summary>
    public TimeSpan NextDelay(int attempt) => NextDelay(attempt, Min, Max, Factor);

    /// <summary>Delay before poll number <paramref name="attempt"/> (0-based): <c>min × factor^attempt</c>, capped at <paramref name="max"/>.</summary>
    public static TimeSpan NextDelay(int attempt, TimeSpan min, TimeSpan max, double factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        if (min <= TimeSpan.Zero || max < min || factor < 1.0 || double.IsNaN(factor))
        {
            throw new ArgumentException("Poll schedule needs 0 < min <= max and factor >= 1.");
        }

        var ticks = min.Ticks * Math.Pow(factor, attempt);
        return ticks >= max.Ticks || double.IsInfinity(ticks) ? max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// The delay to wait at <paramref name="nowUtc"/> before the next poll, never past <paramref name="deadlineUtc"/>;
    /// <c>null</c> when the deadline has been reached (the orchestrator should cancel the run and fail).
    /// </summary>
    public TimeSpan? NextDelayBefore(int attempt, DateTime nowUtc, DateTime deadlineUtc)
    {
        if (nowUtc >= deadlineUtc)
        {
            return null;
        }

        var delay = NextDelay(attempt);
        var left = deadlineUtc - nowUtc;
        return delay < left ? delay : left;
    }
}
