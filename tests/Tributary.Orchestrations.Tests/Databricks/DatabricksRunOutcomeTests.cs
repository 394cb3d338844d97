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
    [InlineData("QUEUED", null, DatabricksRunOutcomeKind.Pending)]
    [InlineData("WAITING", null, DatabricksRunOutcomeKind.Pending)]
    [InlineData("RUNNING", null, DatabricksRunOutcomeKind.Running)]
    [InlineData("TERMINATED", "SUCCESS", DatabricksRunOutcomeKind.Succeeded)]
    [InlineData("TERMINATED", "RUN_EXECUTION_ERROR", DatabricksRunOutcomeKind.Failed)]
    [InlineData("TERMINATED", "USER_CANCELED", DatabricksRunOutcomeKind.Failed)]
    public void Jobs_2_2_status_is_used_when_classic_state_is_absent(string state, string? code, DatabricksRunOutcomeKind kind)
    {
        var outcome = DatabricksRunOutcome.From(new DatabricksRunState(7, null, null, null, null, state, code, "CLIENT_ERROR", "details"));

        Assert.Equal(kind, outcome.Kind);
        Assert.Equal(code ?? state, outcome.State);
        Assert.Equal("details", outcome.Message);
    }

    [Fact]
    public void Outcome_round_trips_through_default_json_as_activity_output()
    {
        var outcome = new DatabricksRunOutcome(DatabricksRunOutcomeKind.Failed, 9, "TIMEDOUT", "m", "u");

        var json = JsonSerializer.Serialize(outcome);

        Assert.Contains("\"Failed\"", json);
        Assert.Equal(outcome, JsonSerializer.Deserialize<DatabricksRunOutcome>(json));
    }
}
