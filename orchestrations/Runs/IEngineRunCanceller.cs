namespace Tributary.Orchestrations.Runs;

/// <summary>
/// Cancels the external engine run (e.g. a Databricks job run) of a Tributary run that is being cancelled or
/// terminated. A terminated orchestration runs no more code, so whoever terminates it calls this.
/// </summary>
public interface IEngineRunCanceller
{
    /// <summary>Requests cancellation of the run's engine run, if one was started. Idempotent.</summary>
    Task<EngineRunCancellation> CancelEngineRunAsync(string runId, CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="IEngineRunCanceller.CancelEngineRunAsync"/> did.</summary>
/// <param name="Requested">True when a cancel was sent to the engine.</param>
/// <param name="Engine">The engine of the recorded run, when there was one.</param>
/// <param name="EngineRunId">The engine's run id, when there was one.</param>
/// <param name="Detail">Why nothing was cancelled, or what was.</param>
public sealed record EngineRunCancellation(bool Requested, string? Engine, string? EngineRunId, string Detail);
