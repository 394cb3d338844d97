using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// The <c>commitInfo</c> action: provenance only, free-form by the spec. The named fields are the ones Spark and
/// history tools read; ours (runId, inputs, …) travel in <see cref="Fields"/> at the same level.
/// </summary>
public sealed record DeltaCommitInfo(long Timestamp, string Operation, IReadOnlyDictionary<string, string> OperationParameters)
{
    [JsonPropertyName("readVersion")]
    public long? ReadVersion { get; init; }

    [JsonPropertyName("isolationLevel")]
    public string? IsolationLevel { get; init; }

    [JsonPropertyName("isBlindAppend")]
    public bool? IsBlindAppend { get; init; }

    [JsonPropertyName("engineInfo")]
    public string? EngineInfo { get; init; }

    [JsonPropertyName("txnId")]
    public string? TxnId { get; init; }

    /// <summary>Every other field, written and read as is.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Fields { get; init; }

    [JsonIgnore]
    public DateTimeOffset Time => DateTimeOffset.FromUnixTimeMilliseconds(Timestamp);
}
