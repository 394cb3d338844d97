using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Aggregation.Databricks;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tests.Databricks;
using Tributary.Orchestrations.Tests.Orchestrators;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>How a deployment gets (or refuses) the Databricks engine.</summary>
public sealed class AggregationEngineSelectionTests
{
    private const string Storage = "UseDevelopmentStorage=true";

    [Fact]
    public void Databricks_is_registered_only_when_its_section_is_configured_and_the_storage_root_defaults_to_the_account()
    {
        using var without = new ServiceCollection().AddLogging().AddTributaryCore(Storage, new PipelineOptions(), Configuration([])).BuildServiceProvider();
        Assert.False(without.GetRequiredService<DatabricksAggregationSettings>().Enabled);
        Assert.Null(without.GetService<DatabricksJobsClient>());
        Assert.IsType<NoEngineRunCanceller>(without.GetRequiredService<IEngineRunCanceller>());

        using var with = new ServiceCollection().AddLogging().AddTributaryCore(Storage, new PipelineOptions(), Configuration(new()
        {
            ["Databricks:WorkspaceUrl"] = "https://adb-1.2.azuredatabricks.net",
            ["Databricks:JobId"] = "42",
            ["Databricks:Token"] = "dapi-x",
        })).BuildServiceProvider();
        var settings = with.GetRequiredService<DatabricksAggregationSettings>();
        Assert.True(settings.Enabled);
        Assert.Equal("abfss://results@devstoreaccount1.dfs.core.windows.net/taxi/run=r1/aggregate/", settings.UrlOf("results", "taxi/run=r1/aggregate/"));
        Assert.NotNull(with.GetService<DatabricksJobsClient>());
        Assert.IsType<DatabricksRunCanceller>(with.GetRequiredService<IEngineRunCanceller>());
    }

    [Fact]
    public void A_deployment_wide_engine_that_cannot_run_is_refused_at_start()
    {
        var databricks = new PipelineOptions { AggregationEngine = "databricks" };
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTributaryCore(Storage, databricks, Configuration([])));
        Assert.Contains("Databricks:WorkspaceUrl", error.Message);

        error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTributaryCore(Storage, new PipelineOptions { AggregationEngine = "spark" }));
        Assert.Contains("must be duckdb or databricks", error.Message);

        error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTributaryCore(Storage, new PipelineOptions(), Configuration(new()
        {
            ["Databricks:WorkspaceUrl"] = "https://adb-1.2.azuredatabricks.net",
            ["Databricks:StorageRoot"] = "abfss://curated@acct.dfs.core.windows.net",
        })));
        Assert.Contains("{container}", error.Message);
    }

    [Fact]
    public async Task A_dataset_asking_for_databricks_where_it_is_not_configured_gets_a_clear_problem()
    {
        var catalog = new DatasetCatalog(Path.Combine(DatabricksMonitorHost.RepoRoot(), "datasets"));
        // Storage is never reached: the engine's absence is the first thing checked.
        var store = new BlobStore(new Azure.Storage.Blobs.BlobServiceClient("UseDevelopmentStorage=true"));
        var definitions = new FrozenDefinitions(catalog, store);
        var prepare = new PrepareDatabricksRunActivity(definitions, DatabricksAggregationSettings.Disabled, new ThrowingAffectedGroups(), store);

        var plan = await prepare.RunAsync(new FakeActivityContext(nameof(PrepareDatabricksRunActivity)), new AggregationRequest("r1", "taxi", ["curated/taxi/run=r1/part-00000.parquet"]));

        Assert.Null(plan.Start);
        Assert.Contains("not configured", plan.Problem);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private sealed class ThrowingAffectedGroups : IAffectedGroups
    {
        public Task<AffectedGroupSet?> ComputeAsync(string dataset, DatasetDefinition definition, long curatedVersion, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("not reached: the engine is not configured");
    }
}
