namespace Tributary.Functions.Intake;

/// <summary>Another intake is starting this run right now; the blob trigger should try again later.</summary>
public sealed class IntakeClaimedElsewhereException(string runId, string blobName)
    : Exception($"Run {runId} for blob '{blobName}' is being started by another intake; the trigger will retry.")
{
    public string RunId { get; } = runId;
}
