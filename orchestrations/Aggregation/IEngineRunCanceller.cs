namespace Tributary.Orchestrations.Aggregation;

/// <summary>
/// Cancels a run's in-flight work on an external aggregation engine when the run is cancelled. The engine's run id
/// is wherever the engine's activities left it: <paramref name="serializedCustomStatus"/> is the ingest
/// orchestration's custom status as stored (JSON), read just before the orchestration is terminated.
/// The embedded DuckDB engine runs inside the activity, so it has nothing to cancel.
/// </summary>
public interface IEngineRunCanceller
{
    Task CancelAsync(string dataset, string runId, string? serializedCustomStatus, CancellationToken cancellationToken = default);
}

/// <summary>DuckDB runs in-process inside the activity: terminating the orchestration is all a cancel needs.</summary>
public sealed class NoEngineRunCanceller : IEngineRunCanceller
{
    public Task CancelAsync(string dataset, string runId, string? serializedCustomStatus, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
