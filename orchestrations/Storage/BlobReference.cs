namespace Tributary.Orchestrations.Storage;

/// <summary>A pointer to one version of a blob. Activities pass these, never payloads.</summary>
/// <param name="LastModified">
/// The version's Last-Modified, recorded by the planner: the dataset table orders versions of one input name by it.
/// </param>
public sealed record BlobReference(string Container, string Name, string ETag, long Size, DateTimeOffset? LastModified = null)
{
    public override string ToString() => $"{Container}/{Name}@{ETag}";
}
