namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>Every attempt lost the race for the next version: the table is written faster than we can plan.</summary>
public sealed class DeltaCommitConflictException(string appId, int attempts, long lastVersionTried)
    : Exception($"Delta commit of '{appId}' gave up after {attempts} attempts: version {lastVersionTried} and every earlier try was taken by another writer.")
{
    public string AppId { get; } = appId;

    public int Attempts { get; } = attempts;

    public long LastVersionTried { get; } = lastVersionTried;
}
