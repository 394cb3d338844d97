using Tributary.Deploy.Tests.Rendering;

namespace Tributary.Deploy.Tests;

/// <summary>k8s/render is what the pipeline applies: the commit tag must reach every Functions container.</summary>
public class RenderScriptTests
{
    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void Render_pins_the_functions_image_to_the_given_tag(string overlay)
    {
        var result = OverlayRenderer.RenderWithTag(overlay, "3f2a9c1e7b4d");

        Assert.True(result.ExitCode == 0, result.ToString());
        var images = ManifestParser.Parse(result.StandardOutput).Deployments
            .SelectMany(d => d.Spec.Template.Spec.Containers).Select(c => c.Image).Distinct();
        Assert.Equal(["tributary.azurecr.io/tributary-functions:3f2a9c1e7b4d"], images);
    }

    [Fact]
    public void Render_refuses_the_latest_tag()
    {
        var result = OverlayRenderer.RenderWithTag("prod", "latest");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.StandardOutput);
    }
}
