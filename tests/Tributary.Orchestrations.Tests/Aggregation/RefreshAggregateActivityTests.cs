using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations.Tests.Aggregation;

public sealed class RefreshAggregateActivityTests
{
    [Fact]
    public async Task Without_a_curated_commit_there_is_nothing_to_refresh_and_the_run_goes_on()
    {
        var options = new PipelineOptions { WorkDirectory = Path.Combine(Path.GetTempPath(), "tributary-activity-test") };
        var activity = new RefreshAggregateActivity(new LocalAggregateRefresh(null!, new AggregateRefresher(new TableFileCache(options), options), options, new NewestTableVersions()));

        var outcome = await activity.RunAsync(null!, new AggregationRequest("taxi-run", "taxi", [], "hash", CuratedVersion: null));

        Assert.Equal(AggregationState.Succeeded, outcome.State);
        Assert.Equal(AggregationEngines.DuckDb, outcome.Engine);
        Assert.Empty(outcome.Outputs);
        Assert.Null(outcome.CuratedVersion);
    }
}
