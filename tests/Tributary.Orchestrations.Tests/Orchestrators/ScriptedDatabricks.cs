using System.Collections.Concurrent;
using Tributary.Orchestrations.Aggregation.Databricks;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;

namespace Tributary.Orchestrations.Tests.Orchestrators;

/// <summary>
/// Stands in for the Databricks activities (which need a workspace) under their real task names. A Tributary run id
/// picks the script: the Databricks run is PENDING, then RUNNING, then ends in <see cref="Terminal"/> for that run
/// (<c>null</c>: it never ends). Real <see cref="DatabricksRunOutcome.From"/> maps the states.
/// </summary>
public sealed class ScriptedDatabricks
{
    public const string Url = "https://adb-sim.azuredatabricks.net";

    private readonly ConcurrentDictionary<long, int> polls = new();
    private readonly ConcurrentDictionary<long, int> failingPollsLeft = new();
    private long nextId = 5000;

    /// <summary>Final (life cycle, result state, message) by Tributary run id; missing means the run never ends.</summary>
    public ConcurrentDictionary<string, (string LifeCycle, string? Result, string Message)> Terminal { get; } = new();

    /// <summary>Overall timeout the start activity hands to the orchestrator, by Tributary run id (default 30 s).</summary>
    public ConcurrentDictionary<string, TimeSpan> RunTimeout { get; } = new();

    /// <summary>Poll calls that throw before the script continues, by Tributary run id (each failed poll is 3 attempts).</summary>
    public ConcurrentDictionary<string, int> FailingPolls { get; } = new();

    public ConcurrentDictionary<string, StartDatabricksRunInput> Starts { get; } = new();

    public ConcurrentDictionary<long, string> RunIds { get; } = new();

    public ConcurrentBag<long> Cancels { get; } = [];

    public ConcurrentBag<EngineRunRecord> Records { get; } = [];

    public ConcurrentDictionary<string, RunManifest> Committed { get; } = new();

    public DatabricksPollSchedule Schedule { get; } = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), 1.5);

    public static string PageOf(long databricksRunId) => $"{Url}/#job/4242/run/{databricksRunId}";

    public int Polls(long databricksRunId) => polls.TryGetValue(databricksRunId, out var n) ? n : 0;

    public StartDatabricksRunOutput Start(StartDatabricksRunInput input)
    {
        Starts[input.RunId] = input;
        var id = Interlocked.Increment(ref nextId);
        RunIds[id] = input.RunId;
        failingPollsLeft[id] = FailingPolls.GetValueOrDefault(input.RunId) * 3;
        return new StartDatabricksRunOutput(id, id - 5000, PageOf(id), IdempotencyToken.FromRunId(input.RunId), Schedule,
            RunTimeout.GetValueOrDefault(input.RunId, TimeSpan.FromSeconds(30)));
    }

    public DatabricksRunOutcome Get(DatabricksRunRef run)
    {
        if (failingPollsLeft.AddOrUpdate(run.DatabricksRunId, 0, (_, n) => n - 1) >= 0)
        {
            throw new HttpRequestException("simulated: Jobs API unreachable");
        }

        var poll = polls.AddOrUpdate(run.DatabricksRunId, 1, (_, n) => n + 1);
        var runId = RunIds[run.DatabricksRunId];
        var (lifeCycle, result, message) = Cancels.Contains(run.DatabricksRunId)
            ? ("TERMINATED", "CANCELED", "Run cancelled.")
            : poll switch
            {
                1 => ("PENDING", null, "Waiting for compute"),
                _ when poll == 2 || !Terminal.TryGetValue(runId, out var end) => ("RUNNING", (string?)null, "In run"),
                _ => Terminal[runId],
            };
        return DatabricksRunOutcome.From(new DatabricksRunState(run.DatabricksRunId, lifeCycle, result, message, PageOf(run.DatabricksRunId)));
    }
}
