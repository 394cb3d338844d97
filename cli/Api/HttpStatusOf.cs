using Tributary.Orchestrations.Api;

namespace Tributary.Cli.Api;

/// <summary>The HTTP status this host answers for each outcome of the core's runs API.</summary>
public static class HttpStatusOf
{
    public static int Outcome(ApiOutcome outcome) => outcome switch
    {
        ApiOutcome.Ok => StatusCodes.Status200OK,
        ApiOutcome.Accepted => StatusCodes.Status202Accepted,
        ApiOutcome.Invalid => StatusCodes.Status400BadRequest,
        ApiOutcome.NotFound => StatusCodes.Status404NotFound,
        ApiOutcome.Conflict => StatusCodes.Status409Conflict,
        ApiOutcome.TooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status500InternalServerError,
    };
}
