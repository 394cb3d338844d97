namespace Tributary.Functions.Backfill;

/// <summary>
/// What the app writes to backfill-requests-poison for a message it refuses: the original text, untouched,
/// with the reason. (Messages that fail for other reasons reach the same queue raw, from the runtime,
/// after host.json's maxDequeueCount attempts.)
/// </summary>
public sealed record RejectedBackfillRequest(
    string Reason,
    int Status,
    IReadOnlyDictionary<string, string[]>? Errors,
    string MessageId,
    long DequeueCount,
    DateTimeOffset RejectedAt,
    string Message);
