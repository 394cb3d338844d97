using System.Text.Json;
using System.Text.RegularExpressions;

using Tributary.Orchestrations.Api;

namespace Tributary.Functions.Backfill;

/// <summary>
/// Reads a backfill-requests message (JSON) into a <see cref="BackfillRequest"/>, or says precisely why it
/// cannot, before <see cref="IRunsApi.StartBackfillAsync"/>. Host-side until the core's own backfill message
/// handling (branch api) is on main; then the queue adapter calls that instead and this goes.
/// </summary>
public static partial class BackfillRequestParser
{
    /// <summary>Messages are small; anything larger is not a backfill request.</summary>
    public const int MaxMessageChars = 16 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    public static ApiResult<BackfillRequest> Parse(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return ApiProblem.BadRequest("the message is empty; expected a JSON object like {\"dataset\":\"taxi\"}");
        }

        if (message.Length > MaxMessageChars)
        {
            return ApiProblem.BadRequest($"the message has {message.Length} characters; a backfill request has at most {MaxMessageChars}");
        }

        BackfillRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<BackfillRequest>(message, Json);
        }
        catch (JsonException ex)
        {
            return ApiProblem.BadRequest($"the message is not a valid backfill request: {ex.Message}");
        }

        if (request is null)
        {
            return ApiProblem.BadRequest("the message is JSON null; expected a JSON object like {\"dataset\":\"taxi\"}");
        }

        var errors = Validate(request);
        return errors.Count == 0
            ? ApiResult<BackfillRequest>.Ok(request)
            : ApiProblem.BadRequest("the backfill request is invalid", errors);
    }

    private static Dictionary<string, string[]> Validate(BackfillRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Dataset) || !DatasetName().IsMatch(request.Dataset))
        {
            errors["dataset"] = [$"'{request.Dataset}' is not a dataset name (1-63 lower-case letters, digits, '-' or '_')"];
        }

        if (request.From is { } from && request.To is { } to && from > to)
        {
            errors["to"] = [$"'to' ({to:O}) is before 'from' ({from:O})"];
        }

        if (request.BatchSize is <= 0)
        {
            errors["batchSize"] = ["must be a positive number"];
        }

        if (request.MaxParallel is <= 0)
        {
            errors["maxParallel"] = ["must be a positive number"];
        }

        return errors;
    }

    // The same rule as dataset definitions' names.
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex DatasetName();
}
