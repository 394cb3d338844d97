using k8s.Models;
using Tributary.Deploy.Tests.Keda;
using Tributary.Deploy.Tests.Rendering;

namespace Tributary.Deploy.Tests;

public class OverlayRenderingTests
{
    [Fact]
    public void Both_overlays_exist()
    {
        Assert.Equal(["dev", "prod"], OverlayRenderer.Overlays);
    }

    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void Every_object_parses_into_a_typed_model(string overlay)
    {
        var render = RenderedOverlays.Get(overlay);

        Assert.All(render.Objects, o => Assert.False(o is IDictionary<object, object>, $"untyped object {o}"));
        Assert.Single(render.OfKind<V1Namespace>());
        Assert.Equal(["tributary-http", "tributary-worker"], render.Deployments.Select(d => d.Metadata.Name).Order());
        Assert.Single(render.ScaledObjects);
        Assert.Equal(["tributary-host-storage", "tributary-storage"], render.TriggerAuthentications.Select(a => a.Metadata.Name).Order());
        Assert.Single(render.OfKind<V1Service>(), s => s.Metadata.Name == "tributary-http");
        Assert.Single(render.OfKind<V1Ingress>());
        Assert.Single(render.OfKind<V1ServiceAccount>());
        Assert.Single(render.OfKind<V1ConfigMap>());
    }

    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void Base_tag_is_a_concrete_version(string overlay)
    {
        var images = RenderedOverlays.Get(overlay).Deployments.Select(d => d.Spec.Template.Spec.Containers.Single().Image).Distinct();

        Assert.Equal(["tributary.azurecr.io/tributary-functions:0.1.0"], images);
    }

    [Fact]
    public void Ingress_terminates_tls_for_every_host()
    {
        var ingress = RenderedOverlays.Get("prod").OfKind<V1Ingress>().Single();

        var tlsHosts = ingress.Spec.Tls.SelectMany(t => t.Hosts).ToHashSet();
        Assert.All(ingress.Spec.Rules, rule => Assert.Contains(rule.Host, tlsHosts));
        Assert.All(ingress.Spec.Tls, tls => Assert.False(string.IsNullOrEmpty(tls.SecretName)));
    }
}
