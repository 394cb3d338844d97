using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>Wire format of the Jobs API 2.2 calls Tributary makes (snake_case JSON).</summary>
internal static class JobsApiContracts
{
    public const string RunNowPath = "api/2.2/jobs/run-now";
    public const string RunsGetPath = "api/2.2/jobs/runs/get";
    public const string RunsCancelPath = "api/2.2/jobs/runs/cancel";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    internal sealed record RunNowRequest(long JobId, IReadOnlyDictionary<string, string> JobParameters, string IdempotencyToken);

    internal sealed record RunNowResponse(long RunId, long? NumberInJob);

    internal sealed record CancelRunRequest(long RunId);

    internal sealed record RunStateDto(string? LifeCycleState, string? ResultState, string? StateMessage, bool? UserCancelledOrTimedout);

    internal sealed record TerminationDetailsDto(string? Code, string? Type, string? Message);

    internal sealed record QueueDetailsDto(string? Code, string? Message);

    internal sealed record RunStatusDto(string? State, TerminationDetailsDto? TerminationDetails, QueueDetailsDto? QueueDetails);

    internal sealed record GetRunResponse(long RunId, RunStateDto? State, RunStatusDto? Status, string? RunPageUrl);

    internal sealed record ErrorResponse(string? ErrorCode, string? Message);
}
