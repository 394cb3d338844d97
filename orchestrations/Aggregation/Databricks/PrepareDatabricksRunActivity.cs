using Microsoft.DurableTask;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Computes the job parameters of <c>tributary_aggregate</c> for a run: the dataset's aggregation compiled to Spark SQL,
/// and the run's curated folder, result folder and job summary as URLs the job can read and write.
/// Reading the definition is I/O, so this is an activity and the orchestrator stays deterministic.
/// </summary>
public sealed class PrepareDatabricksRunActivity(FrozenDefinitions definitions, DatabricksAggregationSettings settings)
    : TaskActivity<AggregationRequest, DatabricksAggregationPlan>
{
    public override async Task<DatabricksAggregationPlan> RunAsync(TaskActivityContext context, AggregationRequest request)
    {
        if (!settings.Enabled)
        {
            return new DatabricksAggregationPlan(null,
                "engine 'databricks' is not configured in this deployment: set Databricks:WorkspaceUrl and Databricks:JobId");
        }

        var dataset = await definitions.GetAsync(request.Dataset, request.DefinitionHash);
        var parameters = new Dictionary<string, string>
        {
            ["dataset"] = request.Dataset,
            ["run_id"] = request.RunId,
            ["curated_path"] = settings.UrlOf(BlobContainers.Curated, StorageLayout.RunPrefix(request.Dataset, request.RunId)),
            ["results_path"] = settings.UrlOf(BlobContainers.Results, StorageLayout.DatabricksResultFolder(request.Dataset, request.RunId)),
            ["aggregation_sql"] = AggregationSqlCompiler.Compile(dataset.Aggregation, SqlDialect.Spark),
            ["summary_path"] = settings.UrlOf(BlobContainers.Results, StorageLayout.DatabricksJobSummary(request.Dataset, request.RunId)),
        };
        return new DatabricksAggregationPlan(new StartDatabricksRunInput(request.RunId, parameters));
    }
}
