namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// The <c>txn</c> action (transaction identifier): the latest version per appId survives in every snapshot, which is
/// what makes a replayed commit find itself. Our committer writes the table version of the commit as
/// <see cref="Version"/> (the spec leaves its meaning to the application), so it survives checkpoints too.
/// </summary>
public sealed record DeltaTxn(string AppId, long Version, long? LastUpdated = null);
