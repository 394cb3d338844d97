namespace Tributary.Deploy.Tests.Rendering;

/// <summary>Renders overlays the way the pipeline does, through k8s/render (kubectl's built-in kustomize).</summary>
public static class OverlayRenderer
{
    public static IReadOnlyList<string> Overlays { get; } =
        Directory.GetDirectories(Path.Combine(RepositoryPaths.K8s, "overlays")).Select(Path.GetFileName).OfType<string>()
            .Order().ToList();

    public static ProcessResult RenderWithTag(string overlay, string tag)
    {
        // The script calls kubectl by name; make sure the one found (or installed) is the one it uses.
        _ = Kubectl.Path;
        return ProcessResult.Run("bash", [Path.Combine(RepositoryPaths.K8s, "render"), overlay, tag]);
    }

    public static string RenderCommitted(string overlay)
    {
        var result = Kubectl.Run("kustomize", RepositoryPaths.Overlay(overlay));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {overlay} failed: {result}");
        }
        return result.StandardOutput;
    }
}
