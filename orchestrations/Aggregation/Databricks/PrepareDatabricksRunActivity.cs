using Microsoft.DurableTask;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Computes the job parameters of <c>tributary_aggregate</c> for a run's aggregate refresh (see
/// <see cref="DatabricksJobParameters"/>): the curated table and the version the run committed, the aggregate table, the
/// dataset's aggregation compiled to Spark SQL, and the affected groups (inline, or a keys file written here first).
/// Reading the definition and the affected groups is I/O, so this is an activity and the orchestrator stays deterministic.
/// Idempotent: a retry computes the same parameters and overwrites the same keys file.
/// </summary>
public sealed class PrepareDatabricksRunActivity(FrozenDefinitions definitions, DatabricksAggregationSettings settings, IAffectedGroups affectedGroups, BlobStore store)
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
        var affected = request.CuratedVersion is { } version
            ? await affectedGroups.ComputeAsync(request.Dataset, dataset, version)
            : null;
        var (parameters, file) = DatabricksJobParameters.Build(request, dataset.Aggregation, settings, affected);
        if (file is not null)
        {
            await store.Blob(file.Container, file.Name).UploadAsync(BinaryData.FromString(file.Content), overwrite: true);
        }

        return new DatabricksAggregationPlan(new StartDatabricksRunInput(request.RunId, parameters));
    }
}
