using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tables;

/// <summary>The commit <see cref="TableCommitPlanner"/> derived from one snapshot, and the inputs it left alone because the table holds newer versions.</summary>
public sealed record TableCommitDecision(DeltaCommitPlan Plan, IReadOnlyList<string> StaleInputs);
