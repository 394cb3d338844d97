using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>
/// What one <c>tributary drop</c> of several files uploaded (incoming/_drops/{dataset}/{dropId}.json, see <see cref="StorageLayout.DropManifest"/>): each file's
/// version, in upload order. Written after the last upload, so intake seals the drop into runs as soon as it sees it.
/// </summary>
public sealed record DropManifest(string DropId, string Dataset, IReadOnlyList<BlobReference> Files);

/// <summary>Blob metadata every file of a drop carries, so intake holds it back until the manifest arrives.</summary>
public static class DropMetadata
{
    /// <summary>The drop's id (names its manifest).</summary>
    public const string DropKey = "tributary_drop";

    public static string? DropOf(IDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(DropKey, out var drop) && drop.Length > 0 ? drop : null;
}
