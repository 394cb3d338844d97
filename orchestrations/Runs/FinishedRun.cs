namespace Tributary.Orchestrations.Runs;

/// <summary>
/// What <see cref="FinishRunActivity"/> did: the commit and refresh, and the manifest it committed (null when the
/// refresh did not succeed and it committed none): the request's draft with its chunks read back, <see cref="RunManifest.Finished"/>.
/// </summary>
public sealed record FinishedRun(CommittedAndRefreshed Done, RunManifest? Committed);
