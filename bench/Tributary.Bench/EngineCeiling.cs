extern alias TributaryCli;

using System.Diagnostics;
using System.Globalization;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TributaryCli::Tributary.Cli.Runtime;

namespace Tributary.Bench;

/// <summary>
/// `bench engine`: the ceiling of the standalone engine (serve's sidecar over AzureStorage on a fresh disk Azurite, the
/// same <see cref="EngineSettings"/> defaults) for runs of a run's shape whose activities do nothing. Schedules --runs
/// orchestrations at once, each calling --activities no-op activities in sequence, and reports runs/s from the first
/// schedule to the last completion. Tells whether a runs/s target is reachable at all with this engine.
/// </summary>
public static class EngineCeiling
{
    private const string Orchestration = "NoopRun";
    private const string Activity = "Noop";

    public static async Task<int> RunAsync(string[] args, string root)
    {
        var runs = BenchArgs.Number(args, "--runs", 100);
        var shapes = (BenchArgs.Value(args, "--activities") ?? "6,5,4").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var repeat = BenchArgs.Number(args, "--repeat", 1);
        var data = Path.Combine(root, ".tributary", "bench", "engine-ceiling");
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }

        Directory.CreateDirectory(data);
        await using var azurite = await AzuriteServer.StartAsync(ToolsLocator.FindToolsRoot(), data, log: null);
        // The same section serve binds: Tributary__Engine__MaxConcurrentOrchestrations=32 etc. try engine settings.
        var settings = new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection("Tributary:Engine").Get<EngineSettings>() ?? new EngineSettings();
        await using var sidecar = await DurableSidecar.StartAsync(azurite.ConnectionString, "EngineCeiling", settings, NullLoggerFactory.Instance, dispatch: true, CancellationToken.None);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableTaskWorker(worker =>
        {
            sidecar.Serve(worker);
            worker.AddTasks(registry =>
            {
                registry.AddOrchestratorFunc<int, int>(Orchestration, async (context, activities) =>
                {
                    for (var i = 0; i < activities; i++)
                    {
                        await context.CallActivityAsync<int>(Activity, i);
                    }

                    return activities;
                });
                registry.AddActivityFunc<int, int>(Activity, (_, i) => i);
            });
        });
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(sidecar.Address));
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<DurableTaskClient>();

        Console.WriteLine(FormattableString.Invariant(
            $"engine ceiling: {runs} runs at once, sidecar over AzureStorage on a disk Azurite, {Environment.ProcessorCount} cores, partitions {settings.PartitionCount}, activities {settings.MaxConcurrentActivities}, orchestrations {settings.MaxConcurrentOrchestrations}, polling {settings.MaxQueuePollingInterval}"));

        // One untimed run first: the task hub's queues and the worker's connection exist before timing starts.
        await RunBatchAsync(client, 1, 1, "warm");
        foreach (var round in Enumerable.Range(1, repeat))
        {
            foreach (var activities in shapes)
            {
                var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
                var seconds = await RunBatchAsync(client, runs, activities, $"r{round}a{activities}");
                Console.WriteLine(FormattableString.Invariant(
                    $"[{round}] {activities} no-op activities per run: {runs} runs in {seconds:F1} s = {runs / seconds:F2} runs/s ({runs * activities / seconds:F0} activities/s); load average {load} -> {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            }
        }

        await host.StopAsync();
        return 0;
    }

    private static async Task<double> RunBatchAsync(DurableTaskClient client, int runs, int activities, string prefix)
    {
        var clock = Stopwatch.StartNew();
        var ids = await Task.WhenAll(Enumerable.Range(0, runs).Select(i =>
            client.ScheduleNewOrchestrationInstanceAsync(Orchestration, activities, new StartOrchestrationOptions($"{prefix}-{i}"))));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var done = await Task.WhenAll(ids.Select(id => client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: false, timeout.Token)));
        var failed = done.Count(s => s.RuntimeStatus != OrchestrationRuntimeStatus.Completed);
        if (failed > 0)
        {
            Console.WriteLine($"  {failed} of {runs} runs did not complete");
        }

        return clock.Elapsed.TotalSeconds;
    }
}
