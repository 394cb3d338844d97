using k8s.Models;
using Tributary.Deploy.Tests.Invariants;
using Tributary.Deploy.Tests.Keda;
using Tributary.Deploy.Tests.Rendering;
using YamlDotNet.Core;

namespace Tributary.Deploy.Tests;

/// <summary>Each rule must be able to fail: break one thing in a fresh render and expect that rule to say so.</summary>
public class InvariantCheckerRejectsBrokenManifestsTests
{
    private static readonly HostSettings Host = HostSettings.Load(RepositoryPaths.HostJson);

    // A private copy: these tests mutate objects, the shared cache must stay as rendered.
    private static RenderedManifests FreshDev() => ManifestParser.Parse(OverlayRenderer.RenderCommitted("dev"));

    [Fact]
    public void Container_without_run_as_non_root_is_rejected()
    {
        var render = FreshDev();
        var pod = render.Deployment("tributary-worker").Spec.Template.Spec;
        pod.SecurityContext.RunAsNonRoot = null;
        pod.Containers[0].SecurityContext.RunAsNonRoot = null;

        var violations = ManifestInvariants.PodsMeetRestrictedProfile(render).ToList();

        Assert.Contains("Deployment/tributary-worker/functions: runAsNonRoot is not true", violations);
    }

    [Fact]
    public void Writable_root_filesystem_and_kept_capabilities_are_rejected()
    {
        var render = FreshDev();
        var container = render.Deployment("tributary-http").Spec.Template.Spec.Containers[0];
        container.SecurityContext.ReadOnlyRootFilesystem = false;
        container.SecurityContext.Capabilities.Drop = [];
        container.SecurityContext.AllowPrivilegeEscalation = null;

        var violations = ManifestInvariants.PodsMeetRestrictedProfile(render).ToList();

        Assert.Contains("Deployment/tributary-http/functions: root filesystem is writable", violations);
        Assert.Contains("Deployment/tributary-http/functions: does not drop ALL capabilities", violations);
        Assert.Contains("Deployment/tributary-http/functions: allowPrivilegeEscalation is not false", violations);
    }

    [Fact]
    public void Unknown_keda_field_fails_parsing()
    {
        const string misspelt = """
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata:
              name: tributary-worker
            spec:
              scaleTargetRef:
                name: tributary-worker
              maxReplicas: 8
              triggers: []
            """;

        var error = Assert.ThrowsAny<YamlException>(() => ManifestParser.ParseDocument(misspelt));
        Assert.Contains("maxReplicas", error.Message + error.InnerException?.Message);
    }

    [Fact]
    public void Unknown_core_field_fails_parsing()
    {
        const string misspelt = """
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: tributary-functions
            automountServiceAccountTokens: false
            """;

        Assert.ThrowsAny<Exception>(() => ManifestParser.ParseDocument(misspelt));
    }

    [Fact]
    public void Unknown_trigger_metadata_key_is_rejected()
    {
        var render = FreshDev();
        render.ScaledObjects.Single().Spec.Triggers[0].Metadata["queuelength"] = "4";

        var violations = ManifestInvariants.TriggerMetadataIsKnown(render).ToList();

        Assert.Contains(violations, v => v.Contains("unknown metadata queuelength", StringComparison.Ordinal));
    }

    [Fact]
    public void Secret_with_a_literal_is_rejected()
    {
        var secret = (V1Secret)ManifestParser.ParseDocument("""
            apiVersion: v1
            kind: Secret
            metadata:
              name: tributary-storage
              namespace: tributary
            stringData:
              connection-string: UseDevelopmentStorage=true
            """);

        var violations = ManifestInvariants.NoSecretHoldsALiteral(FreshDev().With(secret)).ToList();

        Assert.Equal(["Secret/tributary-storage: holds literal values"], violations);
    }

    [Fact]
    public void Connection_string_with_a_key_in_plain_env_is_rejected()
    {
        var render = FreshDev();
        var env = render.Deployment("tributary-worker").Spec.Template.Spec.Containers[0].Env;
        env.Add(new V1EnvVar { Name = "Leaked", Value = "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc=" });

        var violations = ManifestInvariants.NoSecretHoldsALiteral(render).ToList();

        Assert.Equal(["Deployment/tributary-worker/functions env Leaked: holds a credential literal"], violations);
    }

    [Fact]
    public void Keda_env_missing_from_the_container_is_rejected()
    {
        var render = FreshDev();
        var env = render.Deployment("tributary-worker").Spec.Template.Spec.Containers[0].Env;
        env.Remove(env.Single(e => e.Name == "TributaryStorage"));
        render.ScaledObjects.Single().Spec.Triggers[0].Metadata["connectionFromEnv"] = "NotDefinedAnywhere";

        var violations = ManifestInvariants.KedaEnvironmentIsDefined(render).ToList();

        Assert.Contains(violations, v => v.Contains("connectionFromEnv NotDefinedAnywhere is not defined", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("reads env TributaryStorage", StringComparison.Ordinal));
    }

    [Fact]
    public void Scale_target_that_is_not_rendered_is_rejected()
    {
        var render = FreshDev().Replace<V1Deployment>(d => d.Metadata.Name == "tributary-worker",
            d => new V1Deployment { ApiVersion = d.ApiVersion, Kind = d.Kind, Metadata = new V1ObjectMeta { Name = "tributary-workers" }, Spec = d.Spec });

        var violations = ManifestInvariants.ScaleTargetsNameDeployments(render).ToList();

        Assert.Single(violations);
    }

    [Fact]
    public void Queue_names_are_checked_against_host_json()
    {
        var eightPartitions = Host with { PartitionCount = 8 };
        var renamedHub = Host with { HubName = "Other" };

        var tooFew = ManifestInvariants.QueueNamesMatchHost(RenderedOverlays.Get("dev"), eightPartitions).ToList();
        var wrongHub = ManifestInvariants.QueueNamesMatchHost(RenderedOverlays.Get("dev"), renamedHub).ToList();

        Assert.Equal(
            ["tributary-control-04", "tributary-control-05", "tributary-control-06", "tributary-control-07"],
            tooFew.Select(v => v.Split(' ')[3]));
        Assert.Contains("task hub queue other-workitems (from host.json) has no azure-queue trigger", wrongHub);
    }

    [Fact]
    public void Floating_image_tag_is_rejected()
    {
        var render = FreshDev();
        render.Deployment("tributary-http").Spec.Template.Spec.Containers[0].Image = "tributary.azurecr.io/tributary-functions:latest";
        render.Deployment("tributary-worker").Spec.Template.Spec.Containers[0].Image = "localhost:5000/tributary-functions";

        var violations = ManifestInvariants.ImagesArePinned(render).ToList();

        Assert.Equal(2, violations.Count);
    }

    [Fact]
    public void Selector_that_misses_its_pods_is_rejected()
    {
        var render = FreshDev();
        render.Single<V1Service>("tributary-http").Spec.Selector["app.kubernetes.io/component"] = "api";
        render.Single<V1PodDisruptionBudget>("tributary-worker").Spec.Selector.MatchLabels.Remove("app.kubernetes.io/component");

        var violations = ManifestInvariants.SelectorsMatchLabels(render).ToList();

        Assert.Contains("Service/tributary-http: selector matches no pod template", violations);
        Assert.Contains("PodDisruptionBudget/tributary-worker: selector does not match exactly one workload", violations);
    }

    [Fact]
    public void Deployment_without_probes_or_budget_is_rejected()
    {
        var render = FreshDev().Replace<V1PodDisruptionBudget>(b => b.Metadata.Name == "tributary-http",
            b => new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "placeholder", NamespaceProperty = "tributary" } });
        render.Deployment("tributary-http").Spec.Template.Spec.Containers[0].ReadinessProbe = null;

        var violations = ManifestInvariants.DeploymentsAreHardened(render).ToList();

        Assert.Contains("Deployment/tributary-http: no PodDisruptionBudget", violations);
        Assert.Contains("Deployment/tributary-http/functions: missing liveness or readiness probe", violations);
    }
}
