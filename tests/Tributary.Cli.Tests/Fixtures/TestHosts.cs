using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Tributary.Cli.Hosting;
using Tributary.Cli.Runtime;

namespace Tributary.Cli.Tests.Fixtures;

/// <summary>Starts Tributary hosts against a test's Azurite, each test on its own task hub.</summary>
public static class TestHosts
{
    public static string NewTaskHub() => "T" + Guid.NewGuid().ToString("N")[..12];

    public static IConfiguration Configuration(string connectionString, string taskHub, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [StorageConnection.EnvironmentVariable] = connectionString,
            ["Tributary:TaskHub"] = taskHub,
            ["Tributary:WatchInterval"] = "00:00:00.500",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    public static Task<TributaryHost> StartAsync(IConfiguration configuration, HostRole role = HostRole.Worker, bool watch = true) =>
        TributaryHost.StartAsync(configuration, role, watch, LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning)), null, CancellationToken.None);

    /// <summary>Environment variables that point a child `tributary serve` at the same storage and task hub.</summary>
    public static Dictionary<string, string> ChildEnvironment(IConfiguration configuration)
    {
        var environment = new Dictionary<string, string>();
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is not null)
            {
                environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        return environment;
    }
}
