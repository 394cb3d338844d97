using System.Collections.Concurrent;

namespace Tributary.Deploy.Tests.Rendering;

/// <summary>Renders and parses each overlay once per test run; every test class shares the result.</summary>
public static class RenderedOverlays
{
    private static readonly ConcurrentDictionary<string, Lazy<RenderedManifests>> Cache = new();

    public static RenderedManifests Get(string overlay) =>
        Cache.GetOrAdd(overlay, name => new Lazy<RenderedManifests>(
            () => ManifestParser.Parse(OverlayRenderer.RenderCommitted(name)))).Value;

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var overlay in OverlayRenderer.Overlays)
        {
            data.Add(overlay);
        }
        return data;
    }
}
