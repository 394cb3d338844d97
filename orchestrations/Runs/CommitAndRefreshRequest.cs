using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations.Runs;

/// <summary>A run's table commit and, after it, the local aggregate refresh to the version it made, as one activity.</summary>
/// <param name="CuratedParts">The run's curated parts with rows, in chunk order (as the refresh request carries them).</param>
public sealed record CommitAndRefreshRequest(CommitTableRequest Table, IReadOnlyList<string> CuratedParts);
