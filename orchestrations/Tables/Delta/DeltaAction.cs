using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// One line of a commit file (or one row of a checkpoint): a single-key wrapper such as <c>{"add":{…}}</c>.
/// Exactly one property is set; a line whose action we do not know (cdc, domainMetadata, …) reads as <see cref="IsEmpty"/>
/// and is skipped, as the protocol asks of readers.
/// </summary>
public sealed record DeltaAction
{
    public DeltaCommitInfo? CommitInfo { get; init; }

    public DeltaProtocol? Protocol { get; init; }

    [JsonPropertyName("metaData")]
    public DeltaMetadata? MetaData { get; init; }

    public DeltaTxn? Txn { get; init; }

    public DeltaRemove? Remove { get; init; }

    public DeltaAdd? Add { get; init; }

    [JsonIgnore]
    public bool IsEmpty => CommitInfo is null && Protocol is null && MetaData is null && Txn is null && Remove is null && Add is null;

    public static DeltaAction Of(DeltaCommitInfo commitInfo) => new() { CommitInfo = commitInfo };

    public static DeltaAction Of(DeltaProtocol protocol) => new() { Protocol = protocol };

    public static DeltaAction Of(DeltaMetadata metadata) => new() { MetaData = metadata };

    public static DeltaAction Of(DeltaTxn txn) => new() { Txn = txn };

    public static DeltaAction Of(DeltaRemove remove) => new() { Remove = remove };

    public static DeltaAction Of(DeltaAdd add) => new() { Add = add };
}
