using System.Text.Json;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// <c>_delta_log/_last_checkpoint</c>: a hint at a recent checkpoint so readers need not list the whole log.
/// <see cref="Size"/> is the number of actions (rows) in the checkpoint; the optional fields help other readers.
/// </summary>
public sealed record DeltaLastCheckpoint(long Version, long Size)
{
    public long? SizeInBytes { get; init; }

    public long? NumOfAddFiles { get; init; }

    public BinaryData ToBinaryData() => BinaryData.FromString(JsonSerializer.Serialize(this, DeltaJson.Options));

    /// <summary>Null for a missing or unreadable file: it is only a hint, the listing is the truth.</summary>
    public static DeltaLastCheckpoint? TryParse(BinaryData? content)
    {
        if (content is null)
        {
            return null;
        }

        try
        {
            var parsed = JsonSerializer.Deserialize<DeltaLastCheckpoint>(content.ToString(), DeltaJson.Options);
            return parsed is { Version: >= 0 } ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
