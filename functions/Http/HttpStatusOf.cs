using System.Net;
using Tributary.Orchestrations.Api;

namespace Tributary.Functions.Http;

/// <summary>The HTTP status this host answers for each outcome of the core's runs API.</summary>
public static class HttpStatusOf
{
    public static HttpStatusCode Outcome(ApiOutcome outcome) => outcome switch
    {
        ApiOutcome.Ok => HttpStatusCode.OK,
        ApiOutcome.Accepted => HttpStatusCode.Accepted,
        ApiOutcome.Invalid => HttpStatusCode.BadRequest,
        ApiOutcome.NotFound => HttpStatusCode.NotFound,
        ApiOutcome.Conflict => HttpStatusCode.Conflict,
        ApiOutcome.TooLarge => HttpStatusCode.RequestEntityTooLarge,
        _ => HttpStatusCode.InternalServerError,
    };
}
