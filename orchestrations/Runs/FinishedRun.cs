namespace Tributary.Orchestrations.Runs;

/// <summary>
/// What <see cref="FinishRunActivity"/> did: the commit and refresh, and when it committed the manifest (null when the
/// refresh did not succeed). The manifest itself is the request's draft <see cref="RunManifest.Finished"/> at that
/// time, so it does not travel back.
/// </summary>
public sealed record FinishedRun(CommittedAndRefreshed Done, DateTime? CommittedAt);
