namespace Tributary.Orchestrations.Storage;

/// <summary>Queues Tributary reads or writes (the task hub's own queues are the engine's business).</summary>
public static class StorageQueues
{
    public const string RunCompletions = "run-completions";
    public const string BackfillRequests = "backfill-requests";
    public const string BackfillRequestsPoison = "backfill-requests-poison";

    /// <summary>Seal requests for batch windows, delayed until a window is due (see Intake/BatchSealMessages).</summary>
    public const string BatchSeal = "batch-seal";

    /// <summary>Event Grid BlobCreated events for incoming (production intake; see Intake/BlobCreatedEvents).</summary>
    public const string BlobCreated = "blob-created";
    public const string BlobCreatedPoison = "blob-created-poison";

    public static readonly IReadOnlyList<string> All = [RunCompletions, BackfillRequests, BackfillRequestsPoison, BatchSeal, BlobCreated, BlobCreatedPoison];
}
