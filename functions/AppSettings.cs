namespace Tributary.Functions;

/// <summary>App settings the functions read; one name for one thing, shared with the Kubernetes manifests.</summary>
public static class AppSettings
{
    /// <summary>The Functions host's own storage: task hub, host keys, blob trigger receipts.</summary>
    public const string HostStorage = "AzureWebJobsStorage";

    /// <summary>
    /// The data account: incoming/curated/rejected/results, backfill-requests. A connection string, or a
    /// section (TributaryStorage__blobServiceUri, __queueServiceUri, __credential, __clientId) for identity.
    /// </summary>
    public const string TributaryStorage = "TributaryStorage";
}
