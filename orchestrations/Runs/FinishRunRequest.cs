namespace Tributary.Orchestrations.Runs;

/// <summary>
/// A succeeded run's last steps as one activity: the table commit and local refresh, then, if the refresh succeeded,
/// <paramref name="Manifest"/> completed with their outcome and committed, then the inputs moved. The commit's parts
/// and the refresh's curated paths are the manifest's own chunks (<see cref="CommitAndRefreshRequest.Of"/>), read back
/// by the activity from where processing kept them (<see cref="RunManifest.ChunkResults"/>).
/// </summary>
/// <param name="Manifest">The run's manifest as it will read if the refresh succeeds, less the table, aggregation and end times.</param>
public sealed record FinishRunRequest(RunManifest Manifest);
