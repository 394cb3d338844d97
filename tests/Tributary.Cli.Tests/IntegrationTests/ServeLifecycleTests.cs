using Tributary.Testing.Processes;
using Tributary.Cli.Tests.Fixtures;

namespace Tributary.Cli.Tests.IntegrationTests;

public sealed class ServeLifecycleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Serve_stops_cleanly_on_SIGTERM()
    {
        var configuration = TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub());
        using var serve = await ServeChild.StartAsync(TestHosts.ChildEnvironment(configuration));

        var exitCode = serve.Terminate(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, $"exit code {exitCode?.ToString() ?? "none (still running)"}:{Environment.NewLine}{serve.Output}");
        Assert.Contains("stopping", serve.Output, StringComparison.Ordinal);
    }
}
