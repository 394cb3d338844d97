using Microsoft.DurableTask.Client;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Tests.Intake;

namespace Tributary.Orchestrations.Tests.Api;

/// <summary>RunsApi, the host-neutral runs API, over a real Azurite and the in-memory engine.</summary>
public sealed class RunsApiTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_rerun_links_its_original_and_a_second_is_refused_while_the_first_runs()
    {
        await using var core = await CoreHost.StartAsync(azurite, hold: request => request.RerunOf is not null);
        var dataset = CoreHost.NewDataset("rerun");
        var original = await core.Intake().SubmitBlobAsync($"{dataset}/a.csv", "0x1", 10);
        await core.WaitAsync(original.RunId);
        var api = core.Api();

        var first = await api.RerunAsync(original.RunId);

        Assert.Equal(ApiOutcome.Accepted, first.Outcome);
        Assert.Equal(RunIds.ForRerun(original.RunId, 1), first.Value!.RunId);
        Assert.Equal(original.RunId, first.Value.RerunOf);
        var claim = (await core.Catalog.FindClaimAsync(first.Value.RunId))!;
        Assert.Equal(original.RunId, claim.Request.RerunOf);
        Assert.Equal($"{dataset}/a.csv", Assert.Single(claim.Request.Inputs).Name);

        var second = await api.RerunAsync(original.RunId);
        Assert.Equal(ApiOutcome.Conflict, second.Outcome);
        Assert.Contains(first.Value.RunId, second.Problem!.Detail);

        await core.Client.RaiseEventAsync(first.Value.RunId, CoreHost.ReleaseEvent, true);
        await core.WaitAsync(first.Value.RunId);
        var third = await api.RerunAsync(original.RunId);
        Assert.Equal(ApiOutcome.Accepted, third.Outcome);
        Assert.Equal(RunIds.ForRerun(original.RunId, 2), third.Value!.RunId);
        await core.Client.RaiseEventAsync(third.Value.RunId, CoreHost.ReleaseEvent, true);
        await core.WaitAsync(third.Value.RunId);
    }

    [Fact]
    public async Task Listing_pages_with_a_continuation_until_every_run_was_seen_once()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("list");
        var intake = core.Intake();
        var runs = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add((await intake.SubmitBlobAsync($"{dataset}/{i}.csv", "0x1", 10)).RunId);
        }

        var api = core.Api();
        var seen = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await api.ListRunsAsync(dataset, null, top: 2, continuation);
            Assert.Equal(ApiOutcome.Ok, page.Outcome);
            Assert.InRange(page.Value!.Runs.Count, 1, 2);
            seen.AddRange(page.Value.Runs.Select(r => r.RunId));
            continuation = page.Value.Continuation;
            pages++;
        }
        while (continuation is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(runs.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cancel_commits_a_canceled_manifest_only_when_the_run_has_none()
    {
        await using var core = await CoreHost.StartAsync(azurite, hold: _ => true);
        var dataset = CoreHost.NewDataset("cancel");
        var api = core.Api();
        var running = await core.Intake().SubmitBlobAsync($"{dataset}/a.csv", "0x1", 10);

        var canceled = await api.CancelRunAsync(running.RunId);

        Assert.Equal(ApiOutcome.Ok, canceled.Outcome);
        Assert.Equal(RunStatus.Canceled, canceled.Value!.Status);
        Assert.Equal(RunStatus.Canceled, (await core.Catalog.ReadManifestAsync(dataset, running.RunId))!.Status);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await core.Client.GetInstanceAsync(running.RunId))!.RuntimeStatus);
        Assert.Equal(ApiOutcome.Conflict, (await api.CancelRunAsync(running.RunId)).Outcome);

        // A run that committed its own manifest keeps it.
        var finished = await core.Intake().SubmitBlobAsync($"{dataset}/b.csv", "0x1", 10);
        var claim = (await core.Catalog.FindClaimAsync(finished.RunId))!;
        Assert.True(await core.Committer.CommitAsync(CoreHost.StubManifest(claim.Request, DateTime.UtcNow), onlyIfAbsent: true));
        var refused = await api.CancelRunAsync(finished.RunId);
        Assert.Equal(ApiOutcome.Conflict, refused.Outcome);
        Assert.Equal(RunStatus.Succeeded, (await core.Catalog.ReadManifestAsync(dataset, finished.RunId))!.Status);
        await core.Client.RaiseEventAsync(finished.RunId, CoreHost.ReleaseEvent, true);
    }

    [Fact]
    public async Task Bad_input_is_invalid_with_the_field_named_and_unknown_runs_are_not_found()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var api = core.Api();

        var list = await api.ListRunsAsync("Not A Dataset", "bogus", top: 0, continuation: null);
        Assert.Equal(ApiOutcome.Invalid, list.Outcome);
        Assert.Equal(["dataset", "status", "top"], list.Problem!.Errors!.Keys.Order(StringComparer.Ordinal));

        var badToken = await api.ListRunsAsync(null, null, top: 2, continuation: "not-a-token");
        Assert.Equal(ApiOutcome.Invalid, badToken.Outcome);
        Assert.Contains("continuation", badToken.Problem!.Errors!.Keys);

        foreach (var result in new[] { (await api.RerunAsync("../etc")).Problem, (await api.GetRunAsync("a b")).Problem, (await api.CancelRunAsync("x/y")).Problem })
        {
            Assert.Equal(ApiOutcome.Invalid, result!.Outcome);
            Assert.Contains("runId", result.Errors!.Keys);
        }

        Assert.Equal(ApiOutcome.NotFound, (await api.RerunAsync("no-such-run")).Outcome);
        Assert.Equal(ApiOutcome.NotFound, (await api.GetRunAsync("no-such-run")).Outcome);
        var missing = await api.StartBackfillAsync(new BackfillRequest(CoreHost.NewDataset("nodef")));
        Assert.Equal(ApiOutcome.NotFound, missing.Outcome);
    }
}
