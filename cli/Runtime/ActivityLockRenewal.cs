using System.Collections.Concurrent;
using DurableTask.Core;
using Tributary.Cli.Hosting;

namespace Tributary.Cli.Runtime;

/// <summary>
/// Keeps each running activity's work-item queue message invisible until the activity completes or is abandoned. The
/// Azure Storage backend expects its dispatcher to call <see cref="IOrchestrationService.RenewTaskActivityWorkItemLockAsync"/>
/// in the background (DurableTask.Core's dispatcher does), but the gRPC sidecar's dispatcher never does: without this,
/// any activity running longer than the work-item visibility timeout (30 s here) is dequeued again ("is being processed
/// multiple times concurrently"), its first completion fails to delete the re-leased message, and it runs again.
/// </summary>
public sealed class ActivityLockRenewal(IOrchestrationService inner, TimeSpan interval)
{
    private readonly ConcurrentDictionary<string, Renewing> running = new(StringComparer.Ordinal);

    public void Start(TaskActivityWorkItem? workItem)
    {
        if (workItem is null || interval <= TimeSpan.Zero)
        {
            return;
        }

        var stop = new CancellationTokenSource();
        var renewing = new Renewing(stop);
        if (running.TryAdd(workItem.Id, renewing))
        {
            renewing.Loop = RenewAsync(workItem, stop.Token);
        }
        else
        {
            stop.Dispose();
        }
    }

    /// <summary>Ends the renewal and waits out a renewal in flight, so the completion uses the message's latest receipt.</summary>
    public async Task StopAsync(TaskActivityWorkItem workItem)
    {
        if (!running.TryRemove(workItem.Id, out var renewing))
        {
            return;
        }

        await renewing.Stop.CancelAsync();
        if (renewing.Loop is { } loop)
        {
            await loop;
        }

        renewing.Stop.Dispose();
    }

    private async Task RenewAsync(TaskActivityWorkItem workItem, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await inner.RenewTaskActivityWorkItemLockAsync(workItem);
                }
                catch (Exception ex) when (!ex.IsShutdownOf(stop))
                {
                    // Storage unreachable for a moment: the next tick tries again; at worst the activity is redelivered.
                    Console.Error.WriteLine($"tributary: renewing the lock of activity work item {workItem.Id} failed: {ex.GetBaseException().Message}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Completed or abandoned.
        }
    }

    private sealed class Renewing(CancellationTokenSource stop)
    {
        public CancellationTokenSource Stop { get; } = stop;

        public Task? Loop { get; set; }
    }
}
