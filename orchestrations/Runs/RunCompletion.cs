namespace Tributary.Orchestrations.Runs;

/// <summary>The message put on the run-completions queue when a run's manifest is committed.</summary>
public sealed record RunCompletion(string RunId, string Dataset, RunStatus Status, string ManifestPath);
