using DurableTask.Core;

namespace Tributary.Cli.Runtime;

/// <summary>
/// The Azure Storage orchestration service as the sidecar sees it: <see cref="SidecarEventNormalizer"/> applied before
/// each commit, a bounded stop, and activity work items kept locked while they run (<see cref="ActivityLockRenewal"/>).
/// </summary>
public sealed class NormalizingOrchestrationService(IOrchestrationService inner, TimeSpan stopTimeout, TimeSpan activityLockRenewal = default) : IOrchestrationService
{
    private readonly ActivityLockRenewal renewal = new(inner, activityLockRenewal);

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;
    public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;
    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;
    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;
    public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        SidecarEventNormalizer.Normalize(newOrchestrationRuntimeState, orchestratorMessages);
        SidecarEventNormalizer.Normalize(workItem.OrchestrationRuntimeState, outboundMessages);
        return inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
    }

    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool startRequested;
    private volatile bool stopRequested;

    /// <summary>Completes when the dispatcher has started the service (its partitions are being taken), or failed to.</summary>
    public Task Started => started.Task;

    /// <summary>
    /// The sidecar starts the service from an async void callback too, so a start that throws crashes the process.
    /// A stop that comes while the start is still running makes the Azure Storage lease manager throw
    /// NullReferenceException (seen when SIGTERM came right after "serving"): such a start is reported, not thrown.
    /// </summary>
    public async Task StartAsync()
    {
        startRequested = true;
        try
        {
            await inner.StartAsync();
            started.TrySetResult();
        }
        catch (Exception ex) when (stopRequested)
        {
            started.TrySetResult();
            Console.Error.WriteLine($"tributary: the task hub stopped while it was starting: {ex.GetBaseException().Message}");
        }
        catch (Exception ex)
        {
            started.TrySetException(ex);
            throw;
        }
    }

    public Task StopAsync() => StopAsync(isForced: false);

    /// <summary>
    /// The sidecar stops the service from an async void callback, so anything the stop throws crashes the whole
    /// process: the Azure Storage partition manager can wait 10 minutes to drain (seen when its partitions never
    /// started, or the worker left first) and then throws, and a service stopped before it finished starting throws
    /// NullReferenceException (seen when SIGTERM came half a second after start). Stop waits at most
    /// <c>stopTimeout</c> and reports a failure instead of throwing it; leases expire on their own.
    /// </summary>
    public async Task StopAsync(bool isForced)
    {
        // Let a start in progress finish first (bounded): stopping under it is what breaks the lease manager.
        stopRequested = true;
        if (startRequested)
        {
            await Task.WhenAny(started.Task, Task.Delay(stopTimeout));
        }

        Task stopping;
        try
        {
            stopping = inner.StopAsync(isForced);
        }
        catch (Exception ex)
        {
            stopping = Task.FromException(ex);
        }

        _ = stopping.ContinueWith(
            t => Console.Error.WriteLine($"tributary: stopping the task hub failed: {t.Exception!.GetBaseException().Message}"),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
        await Task.WhenAny(stopping, Task.Delay(stopTimeout));
    }

    public Task CreateAsync() => inner.CreateAsync();
    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);
    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();
    public Task DeleteAsync() => inner.DeleteAsync();
    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);
    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);
    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);
    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);
    /// <summary>Hands the sidecar its own sub-orchestration events back (with their trace context), see <see cref="SidecarEventNormalizer.Restore"/>.</summary>
    public async Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        var workItem = await inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);
        SidecarEventNormalizer.Restore(workItem?.OrchestrationRuntimeState);
        return workItem!;
    }
    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);
    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);
    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);
    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        var workItem = await inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
        renewal.Start(workItem);
        return workItem;
    }

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        await renewal.StopAsync(workItem);
        await inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        await renewal.StopAsync(workItem);
        await inner.AbandonTaskActivityWorkItemAsync(workItem);
    }
}
