using System.Text.Json;
using Tributary.Orchestrations.Aggregation.Databricks;

namespace Tributary.Orchestrations.Tests.Databricks;

public sealed class DatabricksPollScheduleTests
{
    [Fact]
    public void Default_grows_from_10_to_60_seconds()
    {
        var delays = Enumerable.Range(0, 8).Select(a => DatabricksPollSchedule.Default.NextDelay(a).TotalSeconds).ToArray();

        Assert.Equal([10, 15, 22.5, 33.75, 50.625, 60, 60, 60], delays);
    }

    [Fact]
    public void Is_monotonic_and_capped_even_for_huge_attempts()
    {
        var schedule = new DatabricksPollSchedule(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), 2);
        var previous = TimeSpan.Zero;
        foreach (var attempt in new[] { 0, 1, 2, 3, 10, 1000, int.MaxValue })
        {
            var delay = schedule.NextDelay(attempt);
            Assert.True(delay >= previous);
            Assert.True(delay <= TimeSpan.FromSeconds(30));
            previous = delay;
        }
    }

    [Fact]
    public void Constant_schedule_with_factor_one()
    {
        var schedule = new DatabricksPollSchedule(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60), 1);

        Assert.All(Enumerable.Range(0, 5), a => Assert.Equal(TimeSpan.FromSeconds(20), schedule.NextDelay(a)));
    }

    [Fact]
    public void Never_waits_past_the_deadline()
    {
        var now = new DateTime(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc);

        Assert.Equal(TimeSpan.FromSeconds(10), DatabricksPollSchedule.Default.NextDelayBefore(0, now, now.AddHours(1)));
        Assert.Equal(TimeSpan.FromSeconds(3), DatabricksPollSchedule.Default.NextDelayBefore(9, now, now.AddSeconds(3)));
        Assert.Null(DatabricksPollSchedule.Default.NextDelayBefore(9, now, now));
    }

    [Fact]
    public void Rejects_invalid_settings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DatabricksPollSchedule.Default.NextDelay(-1));
        Assert.Throws<ArgumentException>(() => DatabricksPollSchedule.NextDelay(0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), 1.5));
        Assert.Throws<ArgumentException>(() => DatabricksPollSchedule.NextDelay(0, TimeSpan.Zero, TimeSpan.FromSeconds(5), 1.5));
        Assert.Throws<ArgumentException>(() => DatabricksPollSchedule.NextDelay(0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 0.5));
    }

    [Fact]
    public void Options_build_the_schedule_and_it_round_trips_through_json()
    {
        var options = new DatabricksJobsOptions { PollIntervalMin = TimeSpan.FromSeconds(7), PollIntervalMax = TimeSpan.FromSeconds(70), PollBackoffFactor = 2 };

        var schedule = JsonSerializer.Deserialize<DatabricksPollSchedule>(JsonSerializer.Serialize(options.PollSchedule));

        Assert.Equal(options.PollSchedule, schedule);
        Assert.Equal(TimeSpan.FromSeconds(14), schedule!.NextDelay(1));
    }
}
