using Tributary.Deploy.Tests.Rendering;
using Tributary.Deploy.Tests.Scaling;
using Xunit.Abstractions;

namespace Tributary.Deploy.Tests;

public class ScalingSimulationTests(ITestOutputHelper output)
{
    private static readonly HostSettings Host = HostSettings.Load(RepositoryPaths.HostJson);

    /// <summary>The settings the README reports: the committed prod ScaledObject, not a copy of its numbers.</summary>
    private static ScalerSettings ProdDefaults =>
        ScalerSettings.From(RenderedOverlays.Get("prod").ScaledObjects.Single(), Host);

    public static readonly ArrivalProfile Steady = new("steady: 1 blob/s for 10 min", 1, 600, 4, 5);
    public static readonly ArrivalProfile Spike = new("spike: 10 blobs/s for 1 min", 10, 60, 4, 5);
    public static readonly ArrivalProfile Trickle = new("trickle: 1 blob/min for 10 min", 1.0 / 60, 600, 4, 5);

    [Theory]
    [InlineData(0, 8, 1)]
    [InlineData(8, 8, 1)]
    [InlineData(9, 8, 2)]
    [InlineData(17, 8, 3)]
    [InlineData(1000, 8, 8)]
    public void Desired_replicas_is_the_ceiling_of_metric_over_target_within_bounds(long metric, int target, int expected)
    {
        Assert.Equal(expected, ReplicaFormula.Desired(metric, target, minReplicas: 0, maxReplicas: 8));
    }

    [Fact]
    public void One_replica_drains_a_known_backlog_in_the_expected_time()
    {
        // 80 chunks of 10 s, 8 at a time on one pod that starts in 30 s: 10 rounds of 10 s after start.
        var settings = ProdDefaults with { MaxReplicas = 1, PodStartSeconds = 30 };
        var result = ScalingSimulation.Run(new ArrivalProfile("block", 20, 1, 4, 10), settings);

        Assert.Equal(1, result.PeakReplicas);
        Assert.Equal(30 + 100, result.DrainSeconds);
        Assert.InRange(result.ScaledToZeroSeconds!.Value, result.DrainSeconds!.Value + settings.CooldownSeconds - settings.PollingIntervalSeconds, result.DrainSeconds.Value + settings.CooldownSeconds + settings.PollingIntervalSeconds);
    }

    [Fact]
    public void Spike_scales_out_to_the_maximum_and_back_to_zero()
    {
        var result = ScalingSimulation.Run(Spike, ProdDefaults);
        Report(Spike, result);

        Assert.Equal(ProdDefaults.MaxReplicas, result.PeakReplicas);
        Assert.NotNull(result.ScaledToZeroSeconds);
        Assert.True(result.DrainSeconds < 900, $"spike took {result.DrainSeconds} s to drain");
    }

    [Fact]
    public void Steady_load_settles_near_the_needed_replica_count()
    {
        var result = ScalingSimulation.Run(Steady, ProdDefaults);
        Report(Steady, result);

        // 4 chunks/s x 5 s = 20 chunks in flight = 2.5 workers of 8. The backlog built while the first pods
        // start pushes the count up; past the stabilization window it steps down, one pod a minute, to
        // ceil(20 / 8) = 3 and never below that while the load lasts.
        Assert.All(result.Curve.Where(s => s.Second is >= 60 and < 600), s => Assert.True(s.Replicas >= 3, $"{s}"));
        Assert.Equal(3, result.Curve.Last(s => s.Replicas > 0).Replicas);
        Assert.InRange(result.DrainSeconds!.Value, Steady.BurstSeconds, Steady.BurstSeconds + 120);
    }

    [Fact]
    public void Fewer_replicas_drain_a_spike_more_slowly()
    {
        var capped = ScalingSimulation.Run(Spike, ProdDefaults with { MaxReplicas = 2 });
        var full = ScalingSimulation.Run(Spike, ProdDefaults);

        Assert.True(capped.DrainSeconds > full.DrainSeconds, $"{capped.DrainSeconds} vs {full.DrainSeconds}");
    }

    [Fact]
    public void Trickle_keeps_one_worker_and_scales_to_zero_after_cooldown()
    {
        var result = ScalingSimulation.Run(Trickle, ProdDefaults);
        Report(Trickle, result);

        Assert.Equal(1, result.PeakReplicas);
        Assert.True(result.ScaledToZeroSeconds >= Trickle.BurstSeconds + ProdDefaults.CooldownSeconds - 60);
    }

    private void Report(ArrivalProfile profile, ScalingResult result)
    {
        output.WriteLine($"{profile.Name}: {profile.TotalChunks} chunks; drained at {result.DrainSeconds} s; " +
            $"zero at {result.ScaledToZeroSeconds} s; peak {result.PeakReplicas}; {result.ReplicaSeconds / 60} replica-minutes");
        foreach (var sample in result.Curve)
        {
            output.WriteLine($"  t={sample.Second,5}s replicas={sample.Replicas} backlog={sample.Backlog}");
        }
    }
}
