using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Intake;

/// <summary>One blob version named by a BlobCreated event.</summary>
public sealed record BlobCreated(string BlobName, string ETag, long ContentLength);

/// <summary>
/// Production intake: Event Grid delivers <c>Microsoft.Storage.BlobCreated</c> events for incoming to the
/// <see cref="StorageQueues.BlobCreated"/> queue (Event Grid schema or CloudEvents 1.0, one event per message);
/// the worker's queue trigger hands each message here. The event names the version (subject → container and blob,
/// data.eTag, data.contentLength), so intake reads no blob and stays idempotent on blob + ETag. A message that is not
/// such an event goes to <see cref="StorageQueues.BlobCreatedPoison"/> with its reason, and is not retried.
/// </summary>
public sealed class BlobCreatedEvents(QueueServiceClient queues, ILogger<BlobCreatedEvents> logger)
{
    public const string EventType = "Microsoft.Storage.BlobCreated";
    private const string SubjectPrefix = "/blobServices/default/containers/";

    /// <summary>Takes in the version a message names; false when the message was poisoned. Throws when intake must be retried.</summary>
    public async Task<bool> HandleAsync(string body, RunIntake intake, CancellationToken cancellationToken = default)
    {
        var (created, problem) = Parse(body);
        if (created is null)
        {
            await PoisonAsync(problem!, body, cancellationToken);
            return false;
        }

        var outcome = await intake.SubmitBlobAsync(created.BlobName, created.ETag, created.ContentLength, cancellationToken);
        if (outcome.Decision == IntakeDecision.ClaimedElsewhere)
        {
            // Failing hands the message back to the queue: by its next delivery the other intake has started the run.
            throw new InvalidOperationException($"run {outcome.RunId} for {created.BlobName} is being started by another intake; retry later");
        }

        logger.LogInformation("BlobCreated {Blob} ({ETag}): run {RunId} {Decision}", created.BlobName, created.ETag, outcome.RunId, outcome.Decision);
        return true;
    }

    /// <summary>The version an event names, or why the message is not a BlobCreated event for incoming.</summary>
    public static (BlobCreated? Created, string? Problem) Parse(string body)
    {
        JsonElement root;
        try
        {
            var text = body.TrimStart() is { Length: > 0 } trimmed && (trimmed[0] == '{' || trimmed[0] == '[') ? body : Encoding.UTF8.GetString(Convert.FromBase64String(body));
            root = JsonDocument.Parse(text).RootElement;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return (null, $"not JSON: {ex.Message}");
        }

        if (root.ValueKind == JsonValueKind.Array)
        {
            if (root.GetArrayLength() != 1)
            {
                return (null, $"expected one event per message, found {root.GetArrayLength()}");
            }

            root = root[0];
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, "not an event object");
        }

        // Event Grid schema: eventType; CloudEvents 1.0: type.
        var type = String(root, "eventType") ?? String(root, "type");
        if (type != EventType)
        {
            return (null, $"event type '{type}' is not {EventType}");
        }

        var subject = String(root, "subject");
        var marker = subject?.IndexOf("/blobs/", StringComparison.Ordinal) ?? -1;
        if (subject is null || !subject.StartsWith(SubjectPrefix, StringComparison.Ordinal) || marker < 0)
        {
            return (null, $"subject '{subject}' is not /blobServices/default/containers/{{container}}/blobs/{{name}}");
        }

        var container = subject[SubjectPrefix.Length..marker];
        var name = subject[(marker + "/blobs/".Length)..];
        if (container != BlobContainers.Incoming || name.Length == 0)
        {
            return (null, $"blob '{container}/{name}' is not in {BlobContainers.Incoming}");
        }

        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return (null, "no data object");
        }

        var etag = String(data, "eTag") ?? String(data, "etag");
        if (string.IsNullOrWhiteSpace(etag))
        {
            return (null, "data.eTag is missing");
        }

        if (!data.TryGetProperty("contentLength", out var length) || !length.TryGetInt64(out var size) || size < 0)
        {
            return (null, "data.contentLength is missing or not a non-negative number");
        }

        return (new BlobCreated(name, etag, size), null);
    }

    /// <summary>The message with its reason on the poison queue; never retried.</summary>
    public async Task PoisonAsync(string reason, string body, CancellationToken cancellationToken = default)
    {
        var poison = queues.GetQueueClient(StorageQueues.BlobCreatedPoison);
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var message = JsonSerializer.Serialize(new { reason, message = body }, BlobStore.Json);
        await poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(message)), cancellationToken);
        logger.LogWarning("A {Queue} message was set aside on {Poison}: {Reason}", StorageQueues.BlobCreated, StorageQueues.BlobCreatedPoison, reason);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
