using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Datasets;

/// <summary>The kinds of schema column; serialised by the names definitions use ("int", "decimal", …).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ColumnKind>))]
public enum ColumnKind
{
    [JsonStringEnumMemberName("string")]
    String,

    [JsonStringEnumMemberName("int")]
    Int,

    [JsonStringEnumMemberName("long")]
    Long,

    [JsonStringEnumMemberName("double")]
    Double,

    [JsonStringEnumMemberName("decimal")]
    Decimal,

    [JsonStringEnumMemberName("bool")]
    Bool,

    [JsonStringEnumMemberName("date")]
    Date,

    [JsonStringEnumMemberName("timestamp")]
    Timestamp,
}
