using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Aggregation.Databricks;

namespace Tributary.Orchestrations.Tests.Databricks;

public sealed class DatabricksActivitiesTests : IDisposable
{
    private readonly DatabricksJobsSimulator _sim = new();

    public void Dispose() => _sim.Dispose();

    [Fact]
    public async Task Start_get_and_cancel_activities_drive_a_run()
    {
        _sim.RunningPolls = 100;
        using var sp = TestSupport.Services(_sim, o => o.RunTimeout = TimeSpan.FromMinutes(45));
        var start = ActivatorUtilities.CreateInstance<StartDatabricksRunActivity>(sp);
        var get = ActivatorUtilities.CreateInstance<GetDatabricksRunActivity>(sp);
        var cancel = ActivatorUtilities.CreateInstance<CancelDatabricksRunActivity>(sp);
        var input = new StartDatabricksRunInput("sales-run-1", TestSupport.JobParameters("sales-run-1"));

        var started = await start.RunAsync(new FakeActivityContext(nameof(StartDatabricksRunActivity)), input);
        var again = await start.RunAsync(new FakeActivityContext(nameof(StartDatabricksRunActivity)), input); // replayed/retried activity

        Assert.Equal(started.DatabricksRunId, again.DatabricksRunId);
        Assert.Equal(1, _sim.RunsCreated);
        Assert.Equal(IdempotencyToken.FromRunId("sales-run-1"), started.IdempotencyToken);
        Assert.EndsWith($"/run/{started.DatabricksRunId}", started.RunPageUrl);
        Assert.Equal(TimeSpan.FromMinutes(45), started.RunTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(10), started.PollSchedule.Min);

        var run = new DatabricksRunRef(started.DatabricksRunId);
        var outcome = await get.RunAsync(new FakeActivityContext(nameof(GetDatabricksRunActivity)), run);
        Assert.Equal(DatabricksRunOutcomeKind.Running, outcome.Kind); // the start activity's own get saw PENDING

        Assert.True(await cancel.RunAsync(new FakeActivityContext(nameof(CancelDatabricksRunActivity)), run));
        outcome = await get.RunAsync(new FakeActivityContext(nameof(GetDatabricksRunActivity)), run);
        Assert.Equal(DatabricksRunOutcomeKind.Failed, outcome.Kind);
        Assert.Equal("CANCELED", outcome.State);
    }

    [Fact]
    public async Task Start_with_new_attempt_starts_a_new_run()
    {
        using var sp = TestSupport.Services(_sim);
        var start = ActivatorUtilities.CreateInstance<StartDatabricksRunActivity>(sp);
        var context = new FakeActivityContext(nameof(StartDatabricksRunActivity));

        var first = await start.RunAsync(context, new StartDatabricksRunInput("r", TestSupport.JobParameters("r")));
        var second = await start.RunAsync(context, new StartDatabricksRunInput("r", TestSupport.JobParameters("r"), Attempt: 1));

        Assert.NotEqual(first.DatabricksRunId, second.DatabricksRunId);
    }

    [Fact]
    public void Activities_are_task_activities_registered_by_class_name()
    {
        ITaskActivity[] activities =
        [
            new StartDatabricksRunActivity(null!, Microsoft.Extensions.Options.Options.Create(new DatabricksJobsOptions()), null!),
            new GetDatabricksRunActivity(null!),
            new CancelDatabricksRunActivity(null!, null!),
        ];

        Assert.Equal(
            [typeof(StartDatabricksRunInput), typeof(DatabricksRunRef), typeof(DatabricksRunRef)],
            activities.Select(a => a.InputType));
        Assert.Equal(
            [typeof(StartDatabricksRunOutput), typeof(DatabricksRunOutcome), typeof(bool)],
            activities.Select(a => a.OutputType));
    }

    [Fact]
    public void Messages_round_trip_through_default_json()
    {
        var input = new StartDatabricksRunInput("r-1", TestSupport.JobParameters("r-1"), 2, 77);
        var output = new StartDatabricksRunOutput(5, 3, "u", "tributary-x", DatabricksPollSchedule.Default, TimeSpan.FromHours(2));

        var inputBack = JsonSerializer.Deserialize<StartDatabricksRunInput>(JsonSerializer.Serialize(input))!;
        var outputBack = JsonSerializer.Deserialize<StartDatabricksRunOutput>(JsonSerializer.Serialize(output));

        Assert.Equal(input.JobParameters, inputBack.JobParameters);
        Assert.Equal((input.RunId, input.Attempt, input.JobId), (inputBack.RunId, inputBack.Attempt, inputBack.JobId));
        Assert.Equal(output, outputBack);
        Assert.Equal(new DatabricksRunRef(5), JsonSerializer.Deserialize<DatabricksRunRef>(JsonSerializer.Serialize(new DatabricksRunRef(5))));
    }
}
