namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// The <c>remove</c> action: a file leaves the table and stays as a tombstone until vacuum may delete it
/// (deletionTimestamp + retention). extendedFileMetadata = true promises partitionValues, size and tags.
/// </summary>
public sealed record DeltaRemove(
    string Path,
    long? DeletionTimestamp,
    bool DataChange,
    bool? ExtendedFileMetadata = null,
    IReadOnlyDictionary<string, string?>? PartitionValues = null,
    long? Size = null,
    IReadOnlyDictionary<string, string>? Tags = null)
{
    /// <summary>The file's path in storage, relative to the table root.</summary>
    public string StoragePath => DeltaPaths.Decode(Path);
}
