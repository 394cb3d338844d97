using System.Text;
using System.Text.Json;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Api;

/// <summary>
/// Reads and validates a backfill-requests message (JSON, raw or base64) so that an invalid one can go to the
/// poison queue with its reason instead of being retried or lost.
/// </summary>
public static class BackfillMessages
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>What lands on backfill-requests-poison: the reason and the message as it came.</summary>
    public sealed record PoisonMessage(string Reason, string Message, DateTimeOffset RejectedAt);

    /// <summary>Parses a message body; the problem says why it is not a valid request.</summary>
    public static (BackfillRequest? Request, ApiProblem? Problem) Parse(string body)
    {
        var text = Decode(body);

        BackfillRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<BackfillRequest>(text, Json);
        }
        catch (JsonException ex)
        {
            return (null, ApiProblem.BadRequest($"the message is not a backfill request: {ex.Message.Split(" Path:")[0]} (path {ex.Path ?? "$"})"));
        }

        if (request is null)
        {
            return (null, ApiProblem.BadRequest("the message is empty (null)"));
        }

        return Validate(request) is { } problem ? (null, problem) : (request, null);
    }

    /// <summary>Checks a request's fields (the dataset's existence is the API's check).</summary>
    public static ApiProblem? Validate(BackfillRequest request)
    {
        var errors = ApiValidation.Errors(
            ("dataset", ApiValidation.DatasetProblem(request.Dataset)),
            ("prefix", ApiValidation.PrefixProblem(request.Prefix)),
            ("to", request.From is not null && request.To is not null && request.To <= request.From ? "to: must be after from" : null),
            ("batchSize", request.BatchSize is < 1 or > ApiValidation.MaxBatchSize ? $"batchSize: between 1 and {ApiValidation.MaxBatchSize}" : null),
            ("maxParallel", request.MaxParallel is < 1 or > ApiValidation.MaxParallel ? $"maxParallel: between 1 and {ApiValidation.MaxParallel}" : null));
        return errors.Count == 0 ? null : ApiProblem.BadRequest(string.Join("; ", errors.Values.SelectMany(v => v)), errors);
    }

    /// <summary>The message text: queue messages arrive raw or base64-encoded (the Functions default).</summary>
    public static string Decode(string body)
    {
        var text = body.Trim();
        return !text.StartsWith('{') && TryBase64(text) is { } decoded ? decoded.Trim() : text;
    }

    public static string PoisonBody(string reason, string message) =>
        JsonSerializer.Serialize(new PoisonMessage(reason, Decode(message), DateTimeOffset.UtcNow), Storage.BlobStore.Json);

    private static string? TryBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? Encoding.UTF8.GetString(buffer, 0, written) : null;
    }
}
