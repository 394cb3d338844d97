namespace Tributary.Orchestrations.Storage;

/// <summary>A pointer to one version of a blob. Activities pass these, never payloads.</summary>
/// <param name="LastModified">
/// The version's Last-Modified, recorded by the planner: the dataset table orders versions of one input name by it.
/// </param>
/// <param name="Archived">
/// The version's archived copy in <see cref="BlobContainers.Archive"/>, set when it must be read from there (a rerun of
/// an input that has left incoming). The version keeps its identity (container, name, ETag); only reads go there.
/// </param>
public sealed record BlobReference(string Container, string Name, string ETag, long Size, DateTimeOffset? LastModified = null, string? Archived = null)
{
    public override string ToString() => $"{Container}/{Name}@{ETag}";
}
