using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Aggregation.Databricks;

namespace Tributary.Orchestrations.Tests.Databricks;

/// <summary>Builds a DI container with the real registration, pointed at the simulator with short timeouts.</summary>
internal static class TestSupport
{
    public static ServiceProvider Services(DatabricksJobsSimulator sim, Action<DatabricksJobsOptions>? tweak = null, CapturingLoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        services.AddDatabricksJobs(o =>
        {
            o.WorkspaceUrl = sim.Url;
            o.JobId = sim.JobId;
            o.Auth = DatabricksAuthKind.Pat;
            o.Token = sim.Pat;
            o.ClientId = sim.ClientId;
            o.ClientSecret = sim.ClientSecret;
            o.PollIntervalMin = TimeSpan.FromMilliseconds(10);
            o.PollIntervalMax = TimeSpan.FromMilliseconds(40);
            o.RunTimeout = TimeSpan.FromSeconds(10);
            o.HttpAttemptTimeout = TimeSpan.FromSeconds(2);
            o.HttpTotalTimeout = TimeSpan.FromSeconds(10);
            o.HttpMaxRetryAttempts = 5;
            o.HttpRetryBaseDelay = TimeSpan.FromMilliseconds(10);
            o.HttpRetryMaxDelay = TimeSpan.FromMilliseconds(100);
            tweak?.Invoke(o);
        });
        return services.BuildServiceProvider();
    }

    public static Dictionary<string, string> JobParameters(string runId) => new()
    {
        ["dataset"] = "sales",
        ["run_id"] = runId,
        ["curated_table"] = "abfss://curated@acct.dfs.core.windows.net/sales/",
        ["curated_version"] = "7",
        ["aggregate_table"] = "abfss://results@acct.dfs.core.windows.net/sales/aggregate/",
        ["aggregation_sql"] = "SELECT region, SUM(amount) AS total FROM curated GROUP BY region",
        ["affected_keys"] = """{"columns":["region"],"keys":[["EU"]]}""",
        ["affected_keys_path"] = "",
        ["affected_predicate"] = "",
        ["summary_path"] = $"abfss://results@acct.dfs.core.windows.net/sales/run={runId}/_databricks_summary.json",
    };

    /// <summary>What the orchestrator does, with wall-clock time instead of durable timers.</summary>
    public static async Task<(DatabricksRunOutcome Outcome, bool TimedOut)> PollAsync(
        DatabricksJobsClient client, long runId, DatabricksPollSchedule schedule, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        for (var attempt = 0; ; attempt++)
        {
            var outcome = DatabricksRunOutcome.From(await client.GetRunAsync(runId));
            if (outcome.IsTerminal)
            {
                return (outcome, false);
            }

            var delay = schedule.NextDelayBefore(attempt, DateTime.UtcNow, deadline);
            if (delay is null)
            {
                return (outcome, true);
            }

            await Task.Delay(delay.Value);
        }
    }
}

internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public string All => string.Join('\n', Lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner.Lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {state} {exception}");
        }
    }
}
