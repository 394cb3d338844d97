using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Tributary.Functions.Tests.Fixtures;

/// <summary>
/// A DurableTaskClient that records what it is asked to schedule. Like the real engine it knows the
/// instances it scheduled (GetInstanceAsync), and it can be told to fail scheduling.
/// </summary>
public sealed class FakeDurableTaskClient() : DurableTaskClient("fake")
{
    private readonly List<ScheduledOrchestration> scheduled = [];

    public IReadOnlyList<ScheduledOrchestration> Scheduled
    {
        get
        {
            lock (scheduled)
            {
                return [.. scheduled];
            }
        }
    }

    public Exception? FailScheduling { get; set; }

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        if (FailScheduling is not null)
        {
            throw FailScheduling;
        }

        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        lock (scheduled)
        {
            scheduled.Add(new ScheduledOrchestration(orchestratorName.Name, instanceId, input));
        }

        return Task.FromResult(instanceId);
    }

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        var known = Scheduled.Any(s => s.InstanceId == instanceId);
        return Task.FromResult(known ? new OrchestrationMetadata(Scheduled.First(s => s.InstanceId == instanceId).Name, instanceId) { RuntimeStatus = OrchestrationRuntimeStatus.Pending } : null);
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw NotUsed();

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) => throw NotUsed();

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw NotUsed();

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw NotUsed();

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw NotUsed();

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw NotUsed();

    private static NotSupportedException NotUsed() => new("The adapters under test do not call this.");
}

public sealed record ScheduledOrchestration(string Name, string InstanceId, object? Input);
