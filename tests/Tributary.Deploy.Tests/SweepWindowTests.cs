using Cronos;
using Tributary.Deploy.Tests.Rendering;
using Tributary.Deploy.Tests.Scaling;

namespace Tributary.Deploy.Tests;

/// <summary>
/// The reconciliation sweep runs at zero replicas: the rendered ScaledObject's cron trigger asks for one worker in the
/// first minute of every 10 (the SweepIncoming timer's minutes) and for none otherwise, on an idle system with a
/// million archived blobs. Simulated at KEDA's polling interval over a day.
/// </summary>
public class SweepWindowTests
{
    /// <summary>SweepIncomingFunction.Schedule (NCRONTAB with seconds), checked against functions.metadata in the Functions tests.</summary>
    private const string SweepSchedule = "0 */10 * * * *";

    private static readonly DateTimeOffset Day = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static StorageState Idle() => new(
        new Dictionary<string, (long, long)>(),
        new Dictionary<string, long> { ["incoming"] = 0, ["archive"] = 1_000_000, ["curated"] = 1_000_000 });

    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void An_idle_system_wakes_one_worker_only_in_the_first_minute_of_every_ten(string overlay)
    {
        var scaled = RenderedOverlays.Get(overlay).ScaledObjects.Single();
        var poll = TimeSpan.FromSeconds(scaled.Spec.PollingInterval ?? 30);

        for (var at = Day; at < Day.AddDays(1); at += poll)
        {
            var inWindow = at.Minute % 10 == 0;
            Assert.True(
                (inWindow ? 1 : 0) == KedaDesiredReplicas.Desired(scaled, Idle(), at),
                $"{overlay} at {at:HH:mm:ss}: expected {(inWindow ? 1 : 0)} desired replicas");
        }
    }

    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void The_window_opens_at_every_sweep_tick_and_never_between(string overlay)
    {
        var cron = RenderedOverlays.Get(overlay).ScaledObjects.Single().Spec.Triggers.Single(t => t.Type == "cron");
        var zone = TimeZoneInfo.FindSystemTimeZoneById(cron.Metadata["timezone"]);

        var opens = CronExpression.Parse(cron.Metadata["start"]).GetOccurrences(Day, Day.AddDays(1), zone).ToList();
        var ticks = CronExpression.Parse(SweepSchedule, CronFormat.IncludeSeconds).GetOccurrences(Day, Day.AddDays(1), TimeZoneInfo.Utc).ToList();

        Assert.Equal(ticks, opens);
        Assert.Equal("1", cron.Metadata["desiredReplicas"]);
    }

    [Fact]
    public void Work_outside_the_window_is_not_capped_by_it_and_inside_it_is_not_lowered()
    {
        var scaled = RenderedOverlays.Get("prod").ScaledObjects.Single();
        var events = new StorageState(
            new Dictionary<string, (long, long)> { ["blob-created"] = (100, 0) },
            new Dictionary<string, long> { ["incoming"] = 100, ["archive"] = 1_000_000 });

        // ceil(100 / 16) = 7 whether the window is open or not: the HPA takes the largest trigger.
        Assert.Equal(7, KedaDesiredReplicas.Desired(scaled, events, Day.AddMinutes(5)));
        Assert.Equal(7, KedaDesiredReplicas.Desired(scaled, events, Day.AddMinutes(10).AddSeconds(30)));
    }
}
