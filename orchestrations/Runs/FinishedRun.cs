namespace Tributary.Orchestrations.Runs;

/// <summary>What <see cref="FinishRunActivity"/> did: the commit and refresh, and the manifest it committed (null when the refresh did not succeed).</summary>
public sealed record FinishedRun(CommittedAndRefreshed Done, RunManifest? Manifest);
