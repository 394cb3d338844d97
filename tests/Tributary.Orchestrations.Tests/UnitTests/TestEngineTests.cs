using System.Net;
using System.Net.Sockets;
using Tributary.Orchestrations.Tests.Fixtures;

namespace Tributary.Orchestrations.Tests.UnitTests;

public sealed class TestEngineTests
{
    [Fact]
    public async Task A_port_taken_before_the_host_binds_it_is_given_up_for_another()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var offered = new List<int>();
        int Ports()
        {
            var port = offered.Count == 0 ? takenPort : TestEngine.FreePort();
            offered.Add(port);
            return port;
        }

        await using var host = await TestEngine.StartAsync(registry => registry.AddOrchestratorFunc<string, string>("Echo", (_, input) => input), ports: Ports);

        Assert.Equal(2, offered.Count);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Echo", "hello");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal("hello", done.ReadOutputAs<string>());
    }
}
