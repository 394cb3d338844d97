using Microsoft.DurableTask.Client;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;

namespace Tributary.Orchestrations.Tests.Intake;

/// <summary>ArrivalBatcher: batch windows sealed into one run over their arrivals, once, however many batchers run.</summary>
public sealed class ArrivalBatcherTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_window_full_by_max_files_seals_into_one_run_over_its_arrivals()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("byfiles");
        core.WriteDataset(dataset, """{ "maxFiles": 3, "maxSeconds": 3600 }""");
        var intake = core.Intake();
        var batcher = core.Batcher();

        List<string> names = [$"{dataset}/a.csv", $"{dataset}/b.csv", $"{dataset}/c.csv"];
        foreach (var name in names.Take(2))
        {
            Assert.Equal(IntakeDecision.Queued, (await intake.SubmitBlobAsync(name, "0x1", 10)).Decision);
        }

        Assert.Empty(await batcher.SealDueWindowsAsync(dataset));
        Assert.Equal(IntakeDecision.Queued, (await intake.SubmitBlobAsync(names[2], "0x1", 10)).Decision);

        var runId = Assert.Single(await batcher.SealDueWindowsAsync(dataset));
        var manifest = (await core.WaitAsync(runId)).ReadOutputAs<RunManifest>()!;
        Assert.Equal(names, manifest.Inputs.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.Equal(names, (await core.Catalog.FindClaimAsync(runId))!.Request.Inputs.Select(i => i.Name).Order(StringComparer.Ordinal));

        // The window is empty again, and its members are owned by the batch run.
        Assert.Empty(await core.Arrivals.ListPendingAsync(dataset));
        Assert.Equal(new IntakeOutcome(runId, IntakeDecision.AlreadyStarted), await intake.SubmitBlobAsync(names[0], "0x1", 10));
        Assert.Empty(await batcher.SealDueWindowsAsync(dataset));
    }

    [Fact]
    public async Task A_window_seals_by_max_seconds()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("bytime");
        core.WriteDataset(dataset, """{ "maxFiles": 100, "maxSeconds": 2 }""");
        var intake = core.Intake();
        var batcher = core.Batcher();
        await intake.SubmitBlobAsync($"{dataset}/a.csv", "0x1", 10);
        await intake.SubmitBlobAsync($"{dataset}/b.csv", "0x1", 10);

        var early = await batcher.SealDueWindowsAsync(dataset);
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var due = await batcher.SealDueWindowsAsync(dataset);

        Assert.Empty(early);
        var runId = Assert.Single(due);
        Assert.Equal(2, (await core.WaitAsync(runId)).ReadOutputAs<RunManifest>()!.Inputs.Count);
    }

    [Fact]
    public async Task Two_racing_batchers_start_a_due_window_exactly_once()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("racing");
        core.WriteDataset(dataset, """{ "maxFiles": 4, "maxSeconds": 3600 }""");
        var intake = core.Intake();
        for (var i = 0; i < 4; i++)
        {
            await intake.SubmitBlobAsync($"{dataset}/{i}.csv", "0x1", 10);
        }

        ArrivalBatcher[] batchers = [core.Batcher(), core.Batcher()];
        var started = (await Task.WhenAll(batchers.Select(b => Task.Run(() => b.SealDueWindowsAsync(dataset))))).SelectMany(s => s).ToList();
        // A batcher that lost the lease comes round again on its next tick: nothing is left for it.
        started.AddRange(await batchers[0].SealDueWindowsAsync(dataset));
        started.AddRange(await batchers[1].SealDueWindowsAsync(dataset));

        var runId = Assert.Single(started);
        Assert.Equal(4, (await core.WaitAsync(runId)).ReadOutputAs<RunManifest>()!.Inputs.Count);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await core.Client.GetInstanceAsync(runId))!.RuntimeStatus);
    }
}
