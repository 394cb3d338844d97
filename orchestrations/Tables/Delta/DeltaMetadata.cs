using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>The <c>metaData</c> action: identity, schema and configuration of the table; a later one replaces it whole.</summary>
public sealed record DeltaMetadata(
    string Id,
    DeltaFormat Format,
    string SchemaString,
    IReadOnlyList<string> PartitionColumns,
    IReadOnlyDictionary<string, string> Configuration,
    long? CreatedTime)
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>A new table's metadata: a fresh GUID as the spec asks, parquet, created now.</summary>
    public static DeltaMetadata Create(DeltaSchema schema, IReadOnlyList<string>? partitionColumns = null, IReadOnlyDictionary<string, string>? configuration = null, DateTimeOffset? createdTime = null) =>
        new(
            Guid.NewGuid().ToString(),
            DeltaFormat.Parquet,
            schema.ToSchemaString(),
            partitionColumns ?? [],
            configuration ?? new Dictionary<string, string>(),
            DeltaJson.Millis(createdTime ?? DateTimeOffset.UtcNow));

    [JsonIgnore]
    public DeltaSchema Schema => DeltaSchema.Parse(SchemaString);

    /// <summary><c>delta.appendOnly</c>: writer version 2 must refuse removes that change data.</summary>
    [JsonIgnore]
    public bool AppendOnly => Configuration.TryGetValue("delta.appendOnly", out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Logs written by others (or checkpoint rows) may leave required maps null; we treat them as empty.</summary>
    internal DeltaMetadata Normalized() => this with
    {
        Format = Format is null ? DeltaFormat.Parquet : Format with { Options = Format.Options ?? new Dictionary<string, string>() },
        PartitionColumns = PartitionColumns ?? [],
        Configuration = Configuration ?? new Dictionary<string, string>(),
    };
}
