namespace Tributary.Orchestrations.Api;

/// <summary>
/// How a runs-API call ended, in the API's own terms. Each host maps it onto its protocol (HTTP status codes in
/// the standalone host and the Functions app; a poison queue for the backfill queue).
/// </summary>
public enum ApiOutcome
{
    Ok,
    Accepted,
    Invalid,
    NotFound,
    Conflict,
    TooLarge,
}
