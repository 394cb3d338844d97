namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// What one commit does, derived by the caller from the snapshot it was given (null for a table that does not exist
/// yet, when <see cref="Protocol"/> and <see cref="Metadata"/> are required). On a conflict the committer asks again
/// with the newer snapshot, so removes must be derived from the snapshot, not remembered.
/// </summary>
public sealed record DeltaCommitPlan(IReadOnlyList<DeltaAdd> Adds, IReadOnlyList<DeltaRemove> Removes)
{
    /// <summary>A metadata change (schema evolution, configuration); required to create the table.</summary>
    public DeltaMetadata? Metadata { get; init; }

    /// <summary>Required to create the table; <see cref="DeltaProtocol.Default"/> is the one to use.</summary>
    public DeltaProtocol? Protocol { get; init; }

    /// <summary>commitInfo.operation, e.g. WRITE, CREATE TABLE, DELETE.</summary>
    public string Operation { get; init; } = "WRITE";

    public IReadOnlyDictionary<string, string> OperationParameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Our own commitInfo fields (runId, inputs, …), serialized with System.Text.Json next to the protocol's.</summary>
    public IReadOnlyDictionary<string, object?> CommitInfo { get; init; } = new Dictionary<string, object?>();

    /// <summary>True for "nothing to commit": the committer writes no version.</summary>
    public bool IsNothing { get; init; }

    public static DeltaCommitPlan Nothing { get; } = new([], []) { IsNothing = true };

    /// <summary>A new table: protocol (1, 2), the metadata, and any first files.</summary>
    public static DeltaCommitPlan CreateTable(DeltaMetadata metadata, IReadOnlyList<DeltaAdd>? adds = null) =>
        new(adds ?? [], []) { Metadata = metadata, Protocol = DeltaProtocol.Default, Operation = "CREATE TABLE" };
}
