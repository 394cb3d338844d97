using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions.Intake;

/// <summary>
/// New blobs under incoming/{dataset}/ go to the core's intake, the same code the standalone watcher
/// calls, so a blob version gets the same run id (and at most one run) whichever host sees it.
/// Two sources, one enabled per deployment: polling (default, works on Azurite) and Event Grid
/// (production latency; disabled unless AzureWebJobs.IncomingBlobEventGrid.Disabled is false).
/// </summary>
public sealed class IncomingBlobFunctions(IServiceProvider services, ILogger<IncomingBlobFunctions> logger)
{
    public const string Path = BlobContainers.Incoming + "/{dataset}/{name}";

    [Function(FunctionNames.IncomingBlob)]
    public Task IncomingBlob(
        [BlobTrigger(Path, Connection = AppSettings.TributaryStorage)] BlobClient blob,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        SubmitAsync(blob, client, cancellationToken);

    [Function(FunctionNames.IncomingBlobEventGrid)]
    public Task IncomingBlobEventGrid(
        [BlobTrigger(Path, Source = BlobTriggerSource.EventGrid, Connection = AppSettings.TributaryStorage)] BlobClient blob,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        SubmitAsync(blob, client, cancellationToken);

    private async Task SubmitAsync(BlobClient blob, DurableTaskClient client, CancellationToken cancellationToken)
    {
        // The trigger hands over a name; the version (ETag) and size come from the blob itself.
        var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        var intake = ActivatorUtilities.CreateInstance<RunIntake>(services, client);
        var outcome = await intake.SubmitBlobAsync(blob.Name, properties.ETag.ToString(), properties.ContentLength, cancellationToken);
        if (outcome.Decision == IntakeDecision.ClaimedElsewhere)
        {
            // Failing hands the blob back to the trigger, which retries after the queue visibility timeout;
            // by then the other intake has started the run, or its claim is stale and this one takes over.
            throw new IntakeClaimedElsewhereException(outcome.RunId, blob.Name);
        }

        logger.LogInformation("Blob {Blob} ({ETag}): run {RunId} {Decision}", blob.Name, properties.ETag, outcome.RunId, outcome.Decision);
    }
}
