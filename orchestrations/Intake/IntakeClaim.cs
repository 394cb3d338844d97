using Tributary.Orchestrations.Runs;

namespace Tributary.Orchestrations.Intake;

/// <summary>The durable record that a run was taken in: tributary-state/intake/{runId}.json.</summary>
public sealed record IntakeClaim(string RunId, IngestRequest Request, DateTimeOffset ClaimedAt);
