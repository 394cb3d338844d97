namespace Tributary.Deploy.Tests.Keda;

/// <summary>
/// Trigger metadata is a free map in KEDA's schema, so the API server would accept a misspelt key and the
/// scaler would silently use its default. These are the keys each scaler documents.
/// </summary>
public static class TriggerMetadataKeys
{
    private static readonly Dictionary<string, HashSet<string>> KnownKeys = new()
    {
        ["azure-queue"] =
        [
            "queueName", "queueLength", "activationQueueLength", "queueLengthStrategy",
            "connectionFromEnv", "accountName", "cloud", "endpointSuffix",
        ],
        ["azure-blob"] =
        [
            "blobContainerName", "blobCount", "activationBlobCount", "blobPrefix", "blobDelimiter",
            "recursive", "globPattern", "connectionFromEnv", "accountName", "cloud", "endpointSuffix",
        ],
        ["cron"] = ["timezone", "start", "end", "desiredReplicas"],
    };

    public static IEnumerable<string> Unknown(ScaleTrigger trigger) =>
        KnownKeys.TryGetValue(trigger.Type, out var known)
            ? trigger.Metadata.Keys.Where(key => !known.Contains(key))
            : [$"(trigger type '{trigger.Type}' is not one this project uses)"];
}
