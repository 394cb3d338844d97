using Microsoft.DurableTask.Client;
using Tributary.Orchestrations.Runs;

namespace Tributary.Cli.Tests.Fixtures;

public static class RunWaiter
{
    /// <summary>Waits for a run started by the watcher (the instance may not exist yet) and returns its manifest.</summary>
    public static async Task<RunManifest> WaitAsync(DurableTaskClient client, string runId, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (await client.GetInstanceAsync(runId, deadline.Token) is null)
            {
                await Task.Delay(200, deadline.Token);
            }

            var metadata = await client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, deadline.Token);
            Assert.True(metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"run {runId} ended {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorMessage}");
            return metadata.ReadOutputAs<RunManifest>()!;
        }
        catch (OperationCanceledException)
        {
            var state = await client.GetInstanceAsync(runId, getInputsAndOutputs: true);
            throw new TimeoutException($"run {runId} did not complete in {timeout}: {state?.RuntimeStatus} {state?.SerializedCustomStatus}");
        }
    }
}
