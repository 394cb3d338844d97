using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>The pure rules of drops: which runs a drop becomes, and which drops intake still waits for. Tested on their own.</summary>
public static class DropPlanner
{
    /// <summary>A drop's files in runs of at most <paramref name="maxFilesPerRun"/>, in manifest order (so re-sealing splits alike).</summary>
    public static IReadOnlyList<IReadOnlyList<BlobReference>> Parts(IReadOnlyList<BlobReference> files, int maxFilesPerRun) =>
        [.. files.Chunk(Math.Max(1, maxFilesPerRun)).Select(part => (IReadOnlyList<BlobReference>)part)];

    /// <summary>Files of a drop per run: the dataset's batch maxFiles when it sets one, else the pipeline's default.</summary>
    public static int MaxFilesPerRun(BatchWindow window, PipelineOptions options) =>
        window.MaxFiles > 0 ? window.MaxFiles : Math.Max(1, options.DropMaxFilesPerRun);

    /// <summary>
    /// The drops whose manifest is still worth waiting for: some file of the drop was uploaded less than
    /// <paramref name="wait"/> ago. Files of the other drops (killed midway, manifest lost) are taken in one by one.
    /// </summary>
    public static IReadOnlySet<string> StillUploading(IEnumerable<(string DropId, DateTimeOffset LastModified)> files, DateTimeOffset now, TimeSpan wait) =>
        files.GroupBy(f => f.DropId, StringComparer.Ordinal)
            .Where(drop => now - drop.Max(f => f.LastModified) < wait)
            .Select(drop => drop.Key)
            .ToHashSet(StringComparer.Ordinal);
}
