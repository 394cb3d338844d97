namespace Tributary.Orchestrations.Storage;

/// <summary>A pointer to one version of a blob. Activities pass these, never payloads.</summary>
public sealed record BlobReference(string Container, string Name, string ETag, long Size)
{
    public override string ToString() => $"{Container}/{Name}@{ETag}";
}
