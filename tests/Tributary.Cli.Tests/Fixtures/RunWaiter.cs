using Microsoft.DurableTask.Client;
using Tributary.Orchestrations.Runs;
using Tributary.Testing.Runs;

namespace Tributary.Cli.Tests.Fixtures;

public static class RunWaiter
{
    /// <summary>Waits for a run started by the watcher (the instance may not exist yet) and returns its manifest.</summary>
    public static async Task<RunManifest> WaitAsync(DurableTaskClient client, string runId, TimeSpan timeout)
    {
        var metadata = await RunEnd.WaitAsync(client, runId, timeout, TimeSpan.FromMilliseconds(200));
        if (metadata is null)
        {
            var state = await client.GetInstanceAsync(runId, getInputsAndOutputs: true);
            throw new TimeoutException($"run {runId} did not complete in {timeout}: {state?.RuntimeStatus} {state?.SerializedCustomStatus}");
        }

        Assert.True(metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"run {runId} ended {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorMessage}");
        return metadata.ReadOutputAs<RunManifest>()!;
    }
}
