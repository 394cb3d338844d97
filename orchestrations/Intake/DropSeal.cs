using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>What sealing one drop did.</summary>
/// <param name="Outcome">One outcome for callers that take one blob at a time: the first run started, else the first run's.</param>
/// <param name="Runs">Each part's run, in order (a part whose every file was taken by another path has none).</param>
/// <param name="Files">The drop's files: in a run of the drop, or already in another one; either way no longer waiting.</param>
public sealed record DropSeal(IntakeOutcome Outcome, IReadOnlyList<IntakeOutcome> Runs, IReadOnlyList<BlobReference> Files);
