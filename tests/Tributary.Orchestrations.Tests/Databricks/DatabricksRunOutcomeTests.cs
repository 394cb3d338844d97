using System.Text.Json;
using Tributary.Orchestrations.Aggregation.Databricks;

namespace Tributary.Orchestrations.Tests.Databricks;

public sealed class DatabricksRunOutcomeTests
{
    [Theory]
    [InlineData("PENDING", null, DatabricksRunOutcomeKind.Pending, "PENDING")]
    [InlineData("QUEUED", null, DatabricksRunOutcomeKind.Pending, "QUEUED")]
    [InlineData("BLOCKED", null, DatabricksRunOutcomeKind.Pending, "BLOCKED")]
    [InlineData("WAITING_FOR_RETRY", null, DatabricksRunOutcomeKind.Pending, "WAITING_FOR_RETRY")]
    [InlineData("RUNNING", null, DatabricksRunOutcomeKind.Running, "RUNNING")]
    [InlineData("TERMINATING", null, DatabricksRunOutcomeKind.Running, "TERMINATING")]
    [InlineData("TERMINATED", null, DatabricksRunOutcomeKind.Running, "TERMINATED")]
    [InlineData("SOME_FUTURE_STATE", null, DatabricksRunOutcomeKind.Running, "SOME_FUTURE_STATE")]
    [InlineData("TERMINATED", "SUCCESS", DatabricksRunOutcomeKind.Succeeded, "SUCCESS")]
    [InlineData("terminated", "success", DatabricksRunOutcomeKind.Succeeded, "SUCCESS")]
    [InlineData("TERMINATED", "FAILED", DatabricksRunOutcomeKind.Failed, "FAILED")]
    [InlineData("TERMINATED", "TIMEDOUT", DatabricksRunOutcomeKind.Failed, "TIMEDOUT")]
    [InlineData("TERMINATED", "CANCELED", DatabricksRunOutcomeKind.Failed, "CANCELED")]
    [InlineData("TERMINATED", "SUCCESS_WITH_FAILURES", DatabricksRunOutcomeKind.Failed, "SUCCESS_WITH_FAILURES")]
    [InlineData("TERMINATED", "DISABLED", DatabricksRunOutcomeKind.Failed, "DISABLED")]
    [InlineData("SKIPPED", null, DatabricksRunOutcomeKind.Failed, "SKIPPED")]
    [InlineData("SKIPPED", "MAXIMUM_CONCURRENT_RUNS_REACHED", DatabricksRunOutcomeKind.Failed, "MAXIMUM_CONCURRENT_RUNS_REACHED")]
    [InlineData("INTERNAL_ERROR", null, DatabricksRunOutcomeKind.Failed, "INTERNAL_ERROR")]
    [InlineData("INTERNAL_ERROR", "FAILED", DatabricksRunOutcomeKind.Failed, "FAILED")]
    public void Classic_state_maps_to_outcome(string lifeCycle, string? result, DatabricksRunOutcomeKind kind, string state)
    {
        var outcome = DatabricksRunOutcome.From(new DatabricksRunState(7, lifeCycle, result, "msg", "https://x/run/7"));

        Assert.Equal(kind, outcome.Kind);
        Assert.Equal(state, outcome.State);
        Assert.Equal("msg", outcome.Message);
        Assert.Equal("https://x/run/7", outcome.RunPageUrl);
        Assert.Equal(kind is DatabricksRunOutcomeKind.Succeeded or DatabricksRunOutcomeKind.Failed, outcome.IsTerminal);
    }

    [Theory]
    [InlineData("QUEUED", null, DatabricksRunOutcomeKind.Pending, "QUEUED", null)]
    [InlineData("WAITING", null, DatabricksRunOutcomeKind.Pending, "WAITING", null)]
    [InlineData("RUNNING", null, DatabricksRunOutcomeKind.Running, "RUNNING", "details")]
    [InlineData("TERMINATED", "SUCCESS", DatabricksRunOutcomeKind.Succeeded, "SUCCESS", "details")]
    [InlineData("TERMINATED", "RUN_EXECUTION_ERROR", DatabricksRunOutcomeKind.Failed, "FAILED", "details")]
    [InlineData("TERMINATED", "USER_CANCELED", DatabricksRunOutcomeKind.Failed, "CANCELED", "details")]
    public void Jobs_2_2_status_is_used_when_classic_state_is_absent(string state, string? code, DatabricksRunOutcomeKind kind, string expectedState, string? message)
    {
        var outcome = DatabricksRunOutcome.From(new DatabricksRunState(7, null, null, null, null, state, code, "CLIENT_ERROR", "details"));

        Assert.Equal(kind, outcome.Kind);
        Assert.Equal(expectedState, outcome.State);
        Assert.Equal(code, outcome.TerminationCode);
        Assert.Equal(message, outcome.Message);
    }

    [Theory]
    [InlineData("TERMINATED", "SUCCESS", "RUNNING", null, DatabricksRunOutcomeKind.Succeeded, "SUCCESS")]
    [InlineData("TERMINATED", "RUN_EXECUTION_ERROR", "TERMINATED", "SUCCESS", DatabricksRunOutcomeKind.Failed, "SUCCESS")]
    [InlineData("TERMINATED", "RUN_EXECUTION_ERROR", null, null, DatabricksRunOutcomeKind.Failed, "FAILED")]
    [InlineData("TERMINATED", "USER_CANCELED", null, null, DatabricksRunOutcomeKind.Failed, "CANCELED")]
    [InlineData("TERMINATED", "CANCELED", null, null, DatabricksRunOutcomeKind.Failed, "CANCELED")]
    [InlineData("TERMINATED", "MAX_CONCURRENT_RUNS_EXCEEDED", null, null, DatabricksRunOutcomeKind.Failed, "MAXIMUM_CONCURRENT_RUNS_REACHED")]
    [InlineData("TERMINATED", "SUCCESS_WITH_FAILURES", null, null, DatabricksRunOutcomeKind.Failed, "SUCCESS_WITH_FAILURES")]
    [InlineData("TERMINATED", "SKIPPED", null, null, DatabricksRunOutcomeKind.Failed, "SKIPPED")]
    [InlineData("TERMINATED", null, "TERMINATED", "SUCCESS", DatabricksRunOutcomeKind.Running, "TERMINATED")]
    [InlineData("RUNNING", null, "TERMINATED", "FAILED", DatabricksRunOutcomeKind.Running, "RUNNING")]
    [InlineData("TERMINATING", null, null, null, DatabricksRunOutcomeKind.Running, "TERMINATING")]
    [InlineData("BLOCKED", null, null, null, DatabricksRunOutcomeKind.Pending, "BLOCKED")]
    public void Status_wins_over_the_deprecated_state(string status, string? code, string? classicLifeCycle, string? classicResult, DatabricksRunOutcomeKind kind, string state)
    {
        var outcome = DatabricksRunOutcome.From(new DatabricksRunState(7, classicLifeCycle, classicResult, "classic", null, status, code, "CLIENT_ERROR", null));

        Assert.Equal(kind, outcome.Kind);
        Assert.Equal(state, outcome.State);
        Assert.Equal(code, outcome.TerminationCode);
        Assert.Equal("classic", outcome.Message); // no termination message: the state message
    }

    [Fact]
    public void Outcome_round_trips_through_default_json_as_activity_output()
    {
        var outcome = new DatabricksRunOutcome(DatabricksRunOutcomeKind.Failed, 9, "TIMEDOUT", "m", "u", "CANCELED", "CLIENT_ERROR");

        var json = JsonSerializer.Serialize(outcome);

        Assert.Contains("\"Failed\"", json);
        Assert.Equal(outcome, JsonSerializer.Deserialize<DatabricksRunOutcome>(json));
    }
}
