using Microsoft.DurableTask.Client;

namespace Tributary.Testing.Runs;

/// <summary>The one wait for a run, for tests and benches: the run may be started later by the watcher or a seal.</summary>
public static class RunEnd
{
    /// <summary>The run's orchestration once it has ended (any status); null if it did not end within the timeout.</summary>
    public static async Task<OrchestrationMetadata?> WaitAsync(DurableTaskClient client, string runId, TimeSpan timeout, TimeSpan? poll = null)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (await client.GetInstanceAsync(runId, deadline.Token) is null)
            {
                await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100), deadline.Token);
            }

            return await client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
