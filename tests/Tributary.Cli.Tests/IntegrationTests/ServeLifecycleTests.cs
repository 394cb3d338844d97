using Tributary.Testing.Processes;
using Tributary.Cli.Tests.Fixtures;

namespace Tributary.Cli.Tests.IntegrationTests;

public sealed class ServeLifecycleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // At once: the stop lands beside the engine's start (it crashed the process with the lease manager's
    // NullReferenceException). After a while: the engine holds its partitions and releasing them takes longer than
    // System.CommandLine's 2 s grace, after which it let SIGTERM kill the process (exit 143).
    [Theory]
    [InlineData(0)]
    [InlineData(4000)]
    public async Task Serve_stops_cleanly_on_SIGTERM(int afterMilliseconds)
    {
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub());
        using var serve = await ServeChild.StartAsync(TestHosts.ChildEnvironment(configuration));
        await Task.Delay(afterMilliseconds);

        var exitCode = serve.Terminate(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, $"exit code {exitCode?.ToString() ?? "none (still running)"}:{Environment.NewLine}{serve.Output}");
        Assert.Contains("stopping", serve.Output, StringComparison.Ordinal);
    }
}
