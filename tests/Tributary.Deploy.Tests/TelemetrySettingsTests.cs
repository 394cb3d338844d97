using k8s.Models;
using Tributary.Deploy.Tests.Rendering;

namespace Tributary.Deploy.Tests;

/// <summary>
/// The OTLP endpoint and service name reach both Deployments as configuration (the shared ConfigMap, overridable per
/// overlay), and the pods may reach the collector: OpenTelemetry is wired by configuration, not by image.
/// </summary>
public class TelemetrySettingsTests
{
    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void Both_deployments_get_the_otlp_endpoint_and_service_name_from_the_settings_configmap(string overlay)
    {
        var render = RenderedOverlays.Get(overlay);
        var settings = render.OfKind<V1ConfigMap>().Single(m => m.Metadata.Name == "tributary-functions-settings");

        Assert.True(settings.Data.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"));
        Assert.Equal("tributary", settings.Data["OTEL_SERVICE_NAME"]);
        Assert.All(render.Deployments, deployment => Assert.Contains(
            deployment.Spec.Template.Spec.Containers.Single().EnvFrom ?? [],
            source => source.ConfigMapRef?.Name == settings.Metadata.Name));
    }

    [Fact]
    public void Prod_exports_to_its_collector_over_a_port_the_network_policies_allow()
    {
        var render = RenderedOverlays.Get("prod");
        var endpoint = new Uri(render.OfKind<V1ConfigMap>().Single(m => m.Metadata.Name == "tributary-functions-settings").Data["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        foreach (var name in new[] { "tributary-worker", "tributary-http" })
        {
            var policy = render.OfKind<V1NetworkPolicy>().Single(p => p.Metadata.Name == name);
            Assert.Contains(policy.Spec.Egress, rule => rule.Ports?.Any(p => p.Port?.Value == endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)) == true);
        }
    }

    [Fact]
    public void Dev_exports_nothing_unless_configured()
    {
        var settings = RenderedOverlays.Get("dev").OfKind<V1ConfigMap>().Single(m => m.Metadata.Name == "tributary-functions-settings");

        Assert.Equal("", settings.Data["OTEL_EXPORTER_OTLP_ENDPOINT"]);
    }
}
