using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// The <c>add</c> action: a data file joins the table. <see cref="Path"/> is relative to the table root and URI-encoded
/// (see <see cref="DeltaPaths"/>); <see cref="Stats"/> is a JSON document carried as a string, as the protocol requires.
/// </summary>
public sealed record DeltaAdd(
    string Path,
    IReadOnlyDictionary<string, string?> PartitionValues,
    long Size,
    long ModificationTime,
    bool DataChange,
    string? Stats = null,
    IReadOnlyDictionary<string, string>? Tags = null)
{
    /// <summary>An add for a file at a storage path (decoded) relative to the table root.</summary>
    public static DeltaAdd ForFile(string relativePath, long size, DateTimeOffset modificationTime, DeltaFileStats? stats = null, IReadOnlyDictionary<string, string?>? partitionValues = null, IReadOnlyDictionary<string, string>? tags = null) =>
        new(DeltaPaths.Encode(relativePath), partitionValues ?? new Dictionary<string, string?>(), size, DeltaJson.Millis(modificationTime), true, stats?.ToJson(), tags);

    /// <summary>The file's path in storage, relative to the table root.</summary>
    [JsonIgnore]
    public string StoragePath => DeltaPaths.Decode(Path);

    /// <summary>numRecords from the stats, when the writer recorded them.</summary>
    [JsonIgnore]
    public long? NumRecords => DeltaFileStats.TryReadNumRecords(Stats);

    /// <summary>The matching <c>remove</c>, carrying size and partition values (extendedFileMetadata) so vacuum and history need no lookup.</summary>
    public DeltaRemove ToRemove(DateTimeOffset deletionTime, bool dataChange = true) =>
        new(Path, DeltaJson.Millis(deletionTime), dataChange, true, PartitionValues, Size, Tags);

    internal DeltaAdd Normalized() => PartitionValues is null ? this with { PartitionValues = new Dictionary<string, string?>() } : this;
}
