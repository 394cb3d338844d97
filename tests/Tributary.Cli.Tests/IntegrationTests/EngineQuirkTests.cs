using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Cli.Runtime;
using Tributary.Cli.Tests.Fixtures;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// The standalone engine's checked quirks (shared/ARCHITECTURE.md), and that the ways around them hold on the real
/// sidecar over Azure Storage (Azurite).
/// </summary>
public sealed class EngineQuirkTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static int failuresLeft;

    [Fact]
    public async Task Sub_orchestrations_complete_once_the_sidecars_events_are_normalised()
    {
        await using var engine = await EngineAsync(registry =>
        {
            registry.AddOrchestratorFunc<int, int>("Parent", async (context, children) =>
            {
                var results = await Task.WhenAll(Enumerable.Range(0, children).Select(i => context.CallSubOrchestratorAsync<int>("Child", i)));
                return results.Sum();
            });
            registry.AddOrchestratorFunc<int, int>("Child", (_, i) => Task.FromResult(i * 2));
        });

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Parent", 50);
        var done = await engine.WaitAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(Enumerable.Range(0, 50).Sum(i => i * 2), done.ReadOutputAs<int>());
    }

    [Fact]
    public async Task Activity_retries_happen_so_transient_faults_heal_whatever_their_interval()
    {
        failuresLeft = 2;
        await using var engine = await EngineAsync(registry =>
        {
            registry.AddOrchestratorFunc<string, string>("Retrying", (context, _) =>
                context.CallActivityAsync<string>("Flaky", null, TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(2)))));
            registry.AddActivityFunc<string?, string>("Flaky", (_, _) =>
                Interlocked.Decrement(ref failuresLeft) >= 0 ? throw new IOException("transient") : "healed");
        });

        var id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Retrying");
        var done = await engine.WaitAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("healed", done.ReadOutputAs<string>());
        Assert.Equal(-1, failuresLeft);
    }

    private async Task<Engine> EngineAsync(Action<DurableTaskRegistry> tasks)
    {
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        var sidecar = await DurableSidecar.StartAsync(azurite.ConnectionString, TestHosts.NewTaskHub(), new EngineSettings(), loggerFactory, dispatch: true, CancellationToken.None);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(sidecar.Address);
            worker.AddTasks(tasks);
        });
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(sidecar.Address));
        var host = builder.Build();
        await host.StartAsync();
        return new Engine(sidecar, host);
    }

    private sealed class Engine(DurableSidecar sidecar, IHost host) : IAsyncDisposable
    {
        public DurableTaskClient Client => host.Services.GetRequiredService<DurableTaskClient>();

        public async Task<OrchestrationMetadata> WaitAsync(string id)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            return await Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
            await sidecar.DisposeAsync();
        }
    }
}
