using System.Globalization;
using Tributary.Deploy.Tests.Invariants;
using Tributary.Deploy.Tests.Rendering;

namespace Tributary.Deploy.Tests;

public class InvariantTests
{
    private static readonly HostSettings Host = HostSettings.Load(RepositoryPaths.HostJson);

    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void Overlay_satisfies_every_invariant(string overlay)
    {
        var violations = ManifestInvariants.All(RenderedOverlays.Get(overlay), Host);

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void Scaler_targets_follow_host_json_concurrency(string overlay)
    {
        var triggers = RenderedOverlays.Get(overlay).ScaledObjects.Single().Spec.Triggers;

        // One worker works this many messages of each queue at once: the per-replica target.
        Assert.Equal(Host.MaxConcurrentActivityFunctions.ToString(CultureInfo.InvariantCulture),
            triggers.Single(t => t.Metadata.GetValueOrDefault("queueName") == Host.WorkItemQueue).Metadata["queueLength"]);
        Assert.All(triggers.Where(t => Host.ControlQueues.Contains(t.Metadata.GetValueOrDefault("queueName", ""))),
            t => Assert.Equal(Host.MaxConcurrentOrchestratorFunctions.ToString(CultureInfo.InvariantCulture), t.Metadata["queueLength"]));
    }

    [Fact]
    public void Prod_can_spread_every_partition_and_scale_activities_past_them()
    {
        var spec = RenderedOverlays.Get("prod").ScaledObjects.Single().Spec;

        Assert.Equal(0, spec.MinReplicaCount);
        Assert.True(spec.MaxReplicaCount > Host.PartitionCount,
            $"maxReplicaCount {spec.MaxReplicaCount} must exceed partitionCount {Host.PartitionCount} so activities scale past the orchestration limit");
        Assert.NotNull(spec.Fallback);
        Assert.InRange(spec.Fallback.Replicas, 1, spec.MaxReplicaCount!.Value);
        Assert.NotNull(spec.Advanced?.HorizontalPodAutoscalerConfig?.Behavior?.ScaleDown);
    }

    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void Worker_grace_period_outlasts_the_longest_function(string overlay)
    {
        var worker = RenderedOverlays.Get(overlay).Deployment("tributary-worker");

        Assert.True(worker.Spec.Template.Spec.TerminationGracePeriodSeconds >= Host.FunctionTimeout.TotalSeconds);
    }

    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void Worker_disables_the_http_functions_and_http_loads_only_them(string overlay)
    {
        string[] http = ["RerunRun", "ReprocessDataset", "GetRun", "ListRuns", "CancelRun", "GetDataset"];
        var render = RenderedOverlays.Get(overlay);
        var workerEnv = render.Deployment("tributary-worker").Spec.Template.Spec.Containers.Single().Env;
        var httpEnv = render.Deployment("tributary-http").Spec.Template.Spec.Containers.Single().Env;

        Assert.All(http, name => Assert.Contains(workerEnv, e => e.Name == $"AzureWebJobs.{name}.Disabled" && e.Value == "true"));
        const string functionsKey = "AzureFunctionsJobHost__functions__";
        var loaded = httpEnv.Where(e => e.Name.StartsWith(functionsKey, StringComparison.Ordinal))
            .OrderBy(e => int.Parse(e.Name[functionsKey.Length..], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, loaded.Count).Select(i => functionsKey + i), loaded.Select(e => e.Name));
        Assert.Equal(http, loaded.Take(http.Length).Select(e => e.Value));
        Assert.All(loaded.Skip(http.Length), extra => Assert.Equal("IncomingBlobEventGrid", extra.Value));
        Assert.True(render.Deployment("tributary-http").Spec.Replicas >= 1);
        Assert.Null(render.Deployment("tributary-worker").Spec.Replicas);
    }
}
