using System.Diagnostics;
using System.Reflection;
using DurableTask.Core;
using Tributary.Cli.Runtime;

namespace Tributary.Cli.Tests.UnitTests;

public sealed class NormalizingOrchestrationServiceTests
{
    [Fact]
    public async Task Stop_returns_within_its_bound_when_the_engine_never_finishes_draining()
    {
        var hanging = DispatchProxy.Create<IOrchestrationService, NeverStops>();
        var service = new NormalizingOrchestrationService(hanging, TimeSpan.FromMilliseconds(300));

        var clock = Stopwatch.StartNew();
        await service.StopAsync(isForced: false).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_failure_after_the_bound_is_observed_instead_of_crashing_the_process()
    {
        var failsLate = DispatchProxy.Create<IOrchestrationService, FailsLate>();
        var service = new NormalizingOrchestrationService(failsLate, TimeSpan.FromMilliseconds(100));
        var unobserved = 0;
        EventHandler<UnobservedTaskExceptionEventArgs> count = (_, _) => Interlocked.Increment(ref unobserved);
        TaskScheduler.UnobservedTaskException += count;
        try
        {
            await service.StopAsync(isForced: true);
            await Task.Delay(600);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Assert.Equal(0, unobserved);
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= count;
        }
    }

    [Fact]
    public async Task A_stop_that_throws_at_once_is_reported_instead_of_crashing_the_process()
    {
        // The Azure Storage service throws NullReferenceException from StopAsync when it had not finished starting.
        var notStarted = DispatchProxy.Create<IOrchestrationService, ThrowsOnStop>();
        var service = new NormalizingOrchestrationService(notStarted, TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        await service.StopAsync(isForced: false);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stop took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_stop_during_start_waits_for_it_and_the_broken_start_is_reported_instead_of_crashing_the_process()
    {
        // The Azure Storage lease manager throws NullReferenceException from a start that a stop overtook (seen in CI).
        var breaks = DispatchProxy.Create<IOrchestrationService, StartBrokenByStop>();
        var service = new NormalizingOrchestrationService(breaks, TimeSpan.FromMilliseconds(300));

        var starting = service.StartAsync();
        var clock = Stopwatch.StartNew();
        await service.StopAsync(isForced: false).WaitAsync(TimeSpan.FromSeconds(30));
        await starting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"stop did not wait for the start in progress ({clock.Elapsed})");
        Assert.True(service.Started.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_start_that_fails_on_its_own_still_fails()
    {
        var breaks = DispatchProxy.Create<IOrchestrationService, StartBrokenByStop>();
        ((StartBrokenByStop)(object)breaks).Start.SetException(new InvalidOperationException("storage refused"));
        var service = new NormalizingOrchestrationService(breaks, TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAsync<InvalidOperationException>(service.StartAsync);
        await Assert.ThrowsAsync<InvalidOperationException>(() => service.Started);
    }

    public class StartBrokenByStop : DispatchProxy
    {
        public TaskCompletionSource Start { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

#pragma warning disable CA2201
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod!.Name)
            {
                case nameof(IOrchestrationService.StartAsync):
                    return Start.Task;
                case nameof(IOrchestrationService.StopAsync):
                    Start.TrySetException(new NullReferenceException());
                    return Task.CompletedTask;
                default:
                    throw new NotSupportedException();
            }
        }
#pragma warning restore CA2201
    }

    public class ThrowsOnStop : DispatchProxy
    {
        // The exception AzureStorageOrchestrationService 2.11.2 really throws when stopped before it started.
#pragma warning disable CA2201
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IOrchestrationService.StopAsync) ? throw new NullReferenceException() : throw new NotSupportedException();
#pragma warning restore CA2201
    }

    public class NeverStops : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IOrchestrationService.StopAsync) ? new TaskCompletionSource().Task : throw new NotSupportedException();
    }

    public class FailsLate : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IOrchestrationService.StopAsync)
                ? Task.Delay(300).ContinueWith(_ => throw new TimeoutException("Timed-out waiting for the partition manager to shut down."), TaskScheduler.Default)
                : throw new NotSupportedException();
    }
}
