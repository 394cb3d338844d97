using Microsoft.DurableTask.Client;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tests.Intake;

/// <summary>RunIntake on a real Azurite with the in-memory engine: one run per blob version, however often or racily it arrives.</summary>
public sealed class RunIntakeTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task The_same_blob_version_twice_starts_one_run()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("intake");
        var intake = core.Intake();

        var first = await intake.SubmitBlobAsync($"{dataset}/a.csv", "\"0x1\"", 10);
        var second = await intake.SubmitBlobAsync($"{dataset}/a.csv", "\"0x1\"", 10);

        Assert.Equal(new IntakeOutcome(RunIds.ForBlob(dataset, $"{dataset}/a.csv", "0x1"), IntakeDecision.Started), first);
        Assert.Equal(new IntakeOutcome(first.RunId, IntakeDecision.AlreadyStarted), second);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await core.WaitAsync(first.RunId)).RuntimeStatus);
    }

    [Fact]
    public async Task Eight_racing_intakes_of_one_version_start_exactly_one_run()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("race");
        var intakes = Enumerable.Range(0, 8).Select(_ => core.Intake()).ToList();

        var outcomes = await Task.WhenAll(intakes.Select(i => Task.Run(() => i.SubmitBlobAsync($"{dataset}/a.csv", "0x1", 10))));

        var started = Assert.Single(outcomes, o => o.Decision == IntakeDecision.Started);
        Assert.All(outcomes, o => Assert.Equal(started.RunId, o.RunId));
        Assert.All(outcomes.Where(o => o != started), o => Assert.True(o.Decision is IntakeDecision.AlreadyStarted or IntakeDecision.ClaimedElsewhere, $"{o.Decision}"));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await core.WaitAsync(started.RunId)).RuntimeStatus);
    }

    [Fact]
    public async Task An_overwrite_with_a_new_etag_starts_a_second_run()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("overwrite");
        var intake = core.Intake();

        var first = await intake.SubmitBlobAsync($"{dataset}/a.csv", "0x1", 10);
        var second = await intake.SubmitBlobAsync($"{dataset}/a.csv", "0x2", 12);

        Assert.Equal(IntakeDecision.Started, first.Decision);
        Assert.Equal(IntakeDecision.Started, second.Decision);
        Assert.NotEqual(first.RunId, second.RunId);
        var run = (await core.WaitAsync(second.RunId)).ReadOutputAs<RunManifest>()!;
        Assert.Equal("0x2", Assert.Single(run.Inputs).ETag);
    }

    [Fact]
    public async Task A_stale_claim_without_an_instance_is_taken_over_only_after_the_claim_timeout()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("stale");
        var request = new IngestRequest($"{dataset}-crashed", dataset, [new BlobReference(BlobContainers.Incoming, $"{dataset}/a.csv", "0x1", 10)]);

        // An intake that claimed the run and crashed before scheduling it.
        Assert.True(await core.Claims.TryCreateAsync(IntakeClaims.BodyOf(request, DateTimeOffset.UtcNow), request.RunId, scheduled: false, CancellationToken.None));

        core.Options.IntakeClaimTimeout = TimeSpan.FromMinutes(5);
        Assert.Equal(IntakeDecision.ClaimedElsewhere, (await core.Intake().StartAsync(request)).Decision);
        Assert.Null(await core.Client.GetInstanceAsync(request.RunId));

        core.Options.IntakeClaimTimeout = TimeSpan.Zero;
        Assert.Equal(IntakeDecision.Started, (await core.Intake().StartAsync(request)).Decision);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await core.WaitAsync(request.RunId)).RuntimeStatus);
        var claim = (await core.Claims.BlobOf(request.RunId).GetPropertiesAsync()).Value;
        Assert.True(claim.Metadata.ContainsKey(IntakeClaims.ScheduledMetadataKey));

        // Once scheduled, the claim is final.
        Assert.Equal(IntakeDecision.AlreadyStarted, (await core.Intake().StartAsync(request)).Decision);
    }

    [Fact]
    public async Task A_backfill_record_never_overwrites_an_existing_claim()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("record");
        var input = new BlobReference(BlobContainers.Incoming, $"{dataset}/a.csv", "0x1", 10);
        var original = new IngestRequest($"{dataset}-run", dataset, [input]);
        Assert.Equal(IntakeDecision.Started, (await core.Intake().StartAsync(original)).Decision);
        var before = (await core.Claims.BlobOf(original.RunId).GetPropertiesAsync()).Value.ETag;

        var other = original with { Inputs = [input with { Name = $"{dataset}/other.csv" }] };
        await core.Claims.RecordScheduledAsync(other, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);

        Assert.Equal(before, (await core.Claims.BlobOf(original.RunId).GetPropertiesAsync()).Value.ETag);
        Assert.Equal(original.Inputs, (await core.Catalog.FindClaimAsync(original.RunId))!.Request.Inputs);

        // A fresh run id is recorded, marked scheduled.
        var fresh = other with { RunId = $"{dataset}-fresh" };
        await core.Claims.RecordScheduledAsync(fresh, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.True((await core.Claims.BlobOf(fresh.RunId).GetPropertiesAsync()).Value.Metadata.ContainsKey(IntakeClaims.ScheduledMetadataKey));
    }
}
