using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Aggregation.Databricks;

namespace Tributary.Orchestrations.Tests.Databricks;

public sealed class DatabricksJobsClientTests : IDisposable
{
    private readonly DatabricksJobsSimulator _sim = new();

    public void Dispose() => _sim.Dispose();

    [Theory]
    [InlineData("SUCCESS", DatabricksRunOutcomeKind.Succeeded)]
    [InlineData("FAILED", DatabricksRunOutcomeKind.Failed)]
    [InlineData("TIMEDOUT", DatabricksRunOutcomeKind.Failed)]
    [InlineData("CANCELED", DatabricksRunOutcomeKind.Failed)]
    [InlineData("MAXIMUM_CONCURRENT_RUNS_REACHED", DatabricksRunOutcomeKind.Failed)]
    [InlineData("EXCLUDED", DatabricksRunOutcomeKind.Failed)]
    [InlineData("SUCCESS_WITH_FAILURES", DatabricksRunOutcomeKind.Failed)]
    [InlineData("UPSTREAM_FAILED", DatabricksRunOutcomeKind.Failed)]
    [InlineData("UPSTREAM_CANCELED", DatabricksRunOutcomeKind.Failed)]
    public async Task Run_progresses_pending_running_terminated_and_maps_result(string resultState, DatabricksRunOutcomeKind expected)
    {
        _sim.ResultState = resultState;
        _sim.TerminalMessage = resultState == "SUCCESS" ? "" : "Task aggregate failed";
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();

        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-1"), IdempotencyToken.FromRunId("r-1"));
        var seen = new List<DatabricksRunOutcomeKind>();
        DatabricksRunOutcome outcome;
        do
        {
            outcome = DatabricksRunOutcome.From(await client.GetRunAsync(started.DatabricksRunId));
            seen.Add(outcome.Kind);
        }
        while (!outcome.IsTerminal);

        Assert.Equal(["PENDING", "RUNNING", "TERMINATED"], _sim.Run(started.DatabricksRunId).Observed);
        Assert.Equal([DatabricksRunOutcomeKind.Pending, DatabricksRunOutcomeKind.Running, expected], seen);
        Assert.Equal(resultState, outcome.State);
        Assert.Equal(started.DatabricksRunId, outcome.DatabricksRunId);
        Assert.EndsWith($"/run/{started.DatabricksRunId}", outcome.RunPageUrl);
        if (expected == DatabricksRunOutcomeKind.Failed)
        {
            Assert.Equal("Task aggregate failed", outcome.Message);
        }
    }

    [Fact]
    public async Task Run_now_sends_job_parameters_and_returns_run_id_and_number_in_job()
    {
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();
        var parameters = TestSupport.JobParameters("r-params");

        var started = await client.RunNowAsync(_sim.JobId, parameters, IdempotencyToken.FromRunId("r-params"));

        Assert.True(started.DatabricksRunId > 0);
        Assert.Equal(1, started.NumberInJob);
        var run = _sim.Run(started.DatabricksRunId);
        Assert.Equal(parameters, run.Parameters);
        Assert.Equal(IdempotencyToken.FromRunId("r-params"), run.IdempotencyToken);
    }

    [Fact]
    public async Task Same_idempotency_token_returns_same_run_id()
    {
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();
        var token = IdempotencyToken.FromRunId("r-idem");

        var first = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-idem"), token);
        var second = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-idem"), token);
        var other = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-other"), IdempotencyToken.FromRunId("r-other"));

        Assert.Equal(first.DatabricksRunId, second.DatabricksRunId);
        Assert.NotEqual(first.DatabricksRunId, other.DatabricksRunId);
        Assert.Equal(2, _sim.RunsCreated);
    }

    [Fact]
    public async Task Lost_run_now_response_is_retried_without_starting_a_second_run()
    {
        // The first run-now takes effect, but its answer is a 503: the retry (same token) gets the same run.
        _sim.InjectFaults(DatabricksJobsSimulator.RunNow, 1, HttpStatusCode.ServiceUnavailable, afterProcessing: true);
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();

        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-lost"), IdempotencyToken.FromRunId("r-lost"));

        Assert.Equal(2, _sim.Requests(DatabricksJobsSimulator.RunNow));
        Assert.Equal(1, _sim.RunsCreated);
        Assert.Equal(_sim.Run(started.DatabricksRunId).RunId, started.DatabricksRunId);
    }

    [Fact]
    public async Task Rate_limit_429_honours_retry_after_then_succeeds()
    {
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();
        await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("warm-up"), IdempotencyToken.FromRunId("warm-up"));
        _sim.InjectFaults(DatabricksJobsSimulator.RunNow, 1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 2);

        var watch = Stopwatch.StartNew();
        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-429"), IdempotencyToken.FromRunId("r-429"));
        watch.Stop();

        Assert.True(started.DatabricksRunId > 0);
        Assert.Equal(3, _sim.Requests(DatabricksJobsSimulator.RunNow));
        // Base backoff is 10 ms in tests: waiting ~2 s proves Retry-After was used.
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(1900), $"retried after {watch.Elapsed}");
    }

    [Fact]
    public async Task Burst_of_500s_is_retried_with_backoff()
    {
        _sim.InjectFaults(DatabricksJobsSimulator.RunsGet, 3, HttpStatusCode.InternalServerError);
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();
        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-500"), IdempotencyToken.FromRunId("r-500"));

        var state = await client.GetRunAsync(started.DatabricksRunId);

        Assert.Equal("PENDING", state.LifeCycleState);
        Assert.Equal(4, _sim.Requests(DatabricksJobsSimulator.RunsGet));
    }

    [Fact]
    public async Task Persistent_500s_fail_after_max_retries_with_api_error()
    {
        _sim.InjectFaults(DatabricksJobsSimulator.RunsGet, 10, HttpStatusCode.BadGateway);
        using var sp = TestSupport.Services(_sim, o => o.HttpMaxRetryAttempts = 2);
        var client = sp.GetRequiredService<DatabricksJobsClient>();

        var error = await Assert.ThrowsAsync<DatabricksApiException>(() => client.GetRunAsync(123));

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Equal(3, _sim.Requests(DatabricksJobsSimulator.RunsGet));
    }

    [Fact]
    public async Task Client_errors_are_not_retried_and_carry_error_code()
    {
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();

        var error = await Assert.ThrowsAsync<DatabricksApiException>(
            () => client.RunNowAsync(999, TestSupport.JobParameters("r-bad"), IdempotencyToken.FromRunId("r-bad")));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("INVALID_PARAMETER_VALUE", error.ErrorCode);
        Assert.Equal(1, _sim.Requests(DatabricksJobsSimulator.RunNow));
    }

    [Fact]
    public async Task Slow_response_hits_attempt_timeout_and_is_retried()
    {
        // One answer 10 s late: a retry after the 250 ms attempt timeout answers at once; waiting would take 10 s.
        _sim.InjectDelay(DatabricksJobsSimulator.RunsGet, 1, TimeSpan.FromSeconds(10));
        using var sp = TestSupport.Services(_sim, o => o.HttpAttemptTimeout = TimeSpan.FromMilliseconds(250));
        var client = sp.GetRequiredService<DatabricksJobsClient>();
        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-slow"), IdempotencyToken.FromRunId("r-slow"));

        var watch = Stopwatch.StartNew();
        var state = await client.GetRunAsync(started.DatabricksRunId);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(2, _sim.Requests(DatabricksJobsSimulator.RunsGet));
        Assert.NotNull(state.LifeCycleState);
    }

    [Fact]
    public async Task Endpoint_that_never_answers_in_time_fails_at_total_timeout()
    {
        _sim.InjectDelay(DatabricksJobsSimulator.RunsGet, 20, TimeSpan.FromSeconds(2));
        using var sp = TestSupport.Services(_sim, o =>
        {
            o.HttpAttemptTimeout = TimeSpan.FromMilliseconds(100);
            o.HttpTotalTimeout = TimeSpan.FromMilliseconds(600);
            o.HttpMaxRetryAttempts = 20;
            // Without the total timeout, 21 attempts with these backoffs take 10 s or more: far from the bound
            // below even on a loaded CI machine (a 2 s bound failed there once at 2.9 s).
            o.HttpRetryBaseDelay = TimeSpan.FromMilliseconds(500);
            o.HttpRetryMaxDelay = TimeSpan.FromSeconds(1);
        });
        var client = sp.GetRequiredService<DatabricksJobsClient>();

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => client.GetRunAsync(42));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"took {watch.Elapsed}");
        Assert.InRange(_sim.Requests(DatabricksJobsSimulator.RunsGet), 1, 4);
    }

    [Fact]
    public async Task Internal_error_run_maps_to_failed_with_state_message_and_url()
    {
        _sim.TerminalLifeCycleState = "INTERNAL_ERROR";
        _sim.ResultState = null;
        _sim.TerminalMessage = "Cluster launch failed: CLOUD_PROVIDER_LAUNCH_FAILURE";
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();
        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-ie"), IdempotencyToken.FromRunId("r-ie"));

        var (outcome, timedOut) = await TestSupport.PollAsync(client, started.DatabricksRunId, DatabricksPollSchedule.Default with { Min = TimeSpan.FromMilliseconds(5), Max = TimeSpan.FromMilliseconds(5) }, TimeSpan.FromSeconds(5));

        Assert.False(timedOut);
        Assert.Equal(DatabricksRunOutcomeKind.Failed, outcome.Kind);
        Assert.Equal("INTERNAL_ERROR", outcome.State);
        Assert.Equal("Cluster launch failed: CLOUD_PROVIDER_LAUNCH_FAILURE", outcome.Message);
        Assert.NotNull(outcome.RunPageUrl);
    }

    [Fact]
    public async Task Run_that_never_finishes_hits_run_timeout_and_is_cancelled()
    {
        _sim.NeverFinish = true;
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();
        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-never"), IdempotencyToken.FromRunId("r-never"));
        var schedule = new DatabricksPollSchedule(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(40), 2);

        var watch = Stopwatch.StartNew();
        var (outcome, timedOut) = await TestSupport.PollAsync(client, started.DatabricksRunId, schedule, TimeSpan.FromMilliseconds(400));
        watch.Stop();

        Assert.True(timedOut);
        Assert.Equal(DatabricksRunOutcomeKind.Running, outcome.Kind);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(3));
        Assert.True(_sim.Requests(DatabricksJobsSimulator.RunsGet) >= 5);

        await client.CancelRunAsync(started.DatabricksRunId);
        var after = DatabricksRunOutcome.From(await client.GetRunAsync(started.DatabricksRunId));
        Assert.Equal(DatabricksRunOutcomeKind.Failed, after.Kind);
        Assert.Equal("CANCELED", after.State);
    }

    [Fact]
    public async Task Cancel_moves_run_to_terminated_canceled()
    {
        _sim.RunningPolls = 100;
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();
        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-cancel"), IdempotencyToken.FromRunId("r-cancel"));
        Assert.Equal("PENDING", (await client.GetRunAsync(started.DatabricksRunId)).LifeCycleState);
        Assert.Equal("RUNNING", (await client.GetRunAsync(started.DatabricksRunId)).LifeCycleState);

        await client.CancelRunAsync(started.DatabricksRunId);
        await client.CancelRunAsync(started.DatabricksRunId); // idempotent
        var state = await client.GetRunAsync(started.DatabricksRunId);

        Assert.Equal("TERMINATED", state.LifeCycleState);
        Assert.Equal("CANCELED", state.ResultState);
        Assert.Equal("TERMINATED", state.StatusState);
        Assert.Equal("USER_CANCELED", state.TerminationCode);
        var outcome = DatabricksRunOutcome.From(state);
        Assert.Equal(DatabricksRunOutcomeKind.Failed, outcome.Kind);
        Assert.Equal("CANCELED", outcome.State);
    }

    [Theory]
    [InlineData(DatabricksJobsSimulator.RunsGetShape.Both, "SUCCESS", DatabricksRunOutcomeKind.Succeeded, "SUCCESS")]
    [InlineData(DatabricksJobsSimulator.RunsGetShape.StatusOnly, "SUCCESS", DatabricksRunOutcomeKind.Succeeded, "SUCCESS")]
    [InlineData(DatabricksJobsSimulator.RunsGetShape.ClassicOnly, "SUCCESS", DatabricksRunOutcomeKind.Succeeded, "SUCCESS")]
    [InlineData(DatabricksJobsSimulator.RunsGetShape.Disagreeing, "SUCCESS", DatabricksRunOutcomeKind.Succeeded, "SUCCESS")]
    [InlineData(DatabricksJobsSimulator.RunsGetShape.Both, "FAILED", DatabricksRunOutcomeKind.Failed, "FAILED")]
    [InlineData(DatabricksJobsSimulator.RunsGetShape.StatusOnly, "FAILED", DatabricksRunOutcomeKind.Failed, "FAILED")]
    [InlineData(DatabricksJobsSimulator.RunsGetShape.ClassicOnly, "FAILED", DatabricksRunOutcomeKind.Failed, "FAILED")]
    [InlineData(DatabricksJobsSimulator.RunsGetShape.Disagreeing, "FAILED", DatabricksRunOutcomeKind.Failed, "FAILED")]
    [InlineData(DatabricksJobsSimulator.RunsGetShape.StatusOnly, "CANCELED", DatabricksRunOutcomeKind.Failed, "CANCELED")]
    [InlineData(DatabricksJobsSimulator.RunsGetShape.StatusOnly, "MAXIMUM_CONCURRENT_RUNS_REACHED", DatabricksRunOutcomeKind.Failed, "MAXIMUM_CONCURRENT_RUNS_REACHED")]
    public async Task Runs_get_prefers_status_and_still_reads_the_deprecated_state(
        DatabricksJobsSimulator.RunsGetShape shape, string resultState, DatabricksRunOutcomeKind expected, string expectedState)
    {
        _sim.Shape = shape;
        _sim.ResultState = resultState;
        _sim.TerminalMessage = resultState == "SUCCESS" ? "" : "Task aggregate failed";
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();
        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-shape"), IdempotencyToken.FromRunId("r-shape"));

        var seen = new List<DatabricksRunOutcomeKind>();
        DatabricksRunOutcome outcome;
        do
        {
            var state = await client.GetRunAsync(started.DatabricksRunId);
            Assert.Equal(shape != DatabricksJobsSimulator.RunsGetShape.ClassicOnly, state.HasStatus);
            outcome = DatabricksRunOutcome.From(state);
            seen.Add(outcome.Kind);
        }
        while (!outcome.IsTerminal && seen.Count < 10);

        // With the disagreeing shape the deprecated object still says RUNNING on the terminal poll: the status decides.
        Assert.Equal([DatabricksRunOutcomeKind.Pending, DatabricksRunOutcomeKind.Running, expected], seen);
        Assert.Equal(expectedState, outcome.State);
        if (shape != DatabricksJobsSimulator.RunsGetShape.ClassicOnly)
        {
            Assert.NotNull(outcome.TerminationCode);
            Assert.Equal(resultState == "SUCCESS" ? "SUCCESS" : "CLIENT_ERROR", outcome.TerminationType);
        }

        if (expected == DatabricksRunOutcomeKind.Failed && resultState != "CANCELED")
        {
            Assert.Equal("Task aggregate failed", outcome.Message);
        }
    }

    [Fact]
    public async Task Queued_run_reports_queue_details_and_stays_pending()
    {
        _sim.QueuedPolls = 2;
        _sim.Shape = DatabricksJobsSimulator.RunsGetShape.StatusOnly;
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();
        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-q"), IdempotencyToken.FromRunId("r-q"));

        var state = await client.GetRunAsync(started.DatabricksRunId);
        var outcome = DatabricksRunOutcome.From(state);

        Assert.Equal(("QUEUED", "MAX_CONCURRENT_RUNS_REACHED"), (state.StatusState, state.QueueCode));
        Assert.Equal(DatabricksRunOutcomeKind.Pending, outcome.Kind);
        Assert.Equal("QUEUED", outcome.State);
        Assert.StartsWith("queued: MAX_CONCURRENT_RUNS_REACHED: ", outcome.Message);

        var (final, timedOut) = await TestSupport.PollAsync(client, started.DatabricksRunId, DatabricksPollSchedule.Default with { Min = TimeSpan.FromMilliseconds(5), Max = TimeSpan.FromMilliseconds(5) }, TimeSpan.FromSeconds(5));
        Assert.False(timedOut);
        Assert.Equal(DatabricksRunOutcomeKind.Succeeded, final.Kind);
        Assert.Equal(["QUEUED", "QUEUED", "PENDING", "RUNNING", "TERMINATED"], _sim.Run(started.DatabricksRunId).Observed);
    }

    [Fact]
    public async Task Terminated_status_without_termination_details_keeps_polling_until_they_arrive()
    {
        _sim.Shape = DatabricksJobsSimulator.RunsGetShape.StatusOnly;
        _sim.TerminatedWithoutDetailsPolls = 2;
        _sim.ResultState = "FAILED";
        _sim.TerminationCode = "STORAGE_ACCESS_ERROR";
        _sim.TerminalMessage = "403 on abfss://curated@acct";
        using var sp = TestSupport.Services(_sim);
        var client = sp.GetRequiredService<DatabricksJobsClient>();
        var started = await client.RunNowAsync(_sim.JobId, TestSupport.JobParameters("r-td"), IdempotencyToken.FromRunId("r-td"));

        var (outcome, timedOut) = await TestSupport.PollAsync(client, started.DatabricksRunId, DatabricksPollSchedule.Default with { Min = TimeSpan.FromMilliseconds(5), Max = TimeSpan.FromMilliseconds(5) }, TimeSpan.FromSeconds(5));

        Assert.False(timedOut);
        Assert.Equal(["PENDING", "RUNNING", "TERMINATED-NO-DETAILS", "TERMINATED-NO-DETAILS", "TERMINATED"], _sim.Run(started.DatabricksRunId).Observed);
        Assert.Equal(DatabricksRunOutcomeKind.Failed, outcome.Kind);
        Assert.Equal("FAILED", outcome.State); // the code mapped to the manifests' vocabulary
        Assert.Equal("STORAGE_ACCESS_ERROR", outcome.TerminationCode);
        Assert.Equal("403 on abfss://curated@acct", outcome.Message);
    }
}
