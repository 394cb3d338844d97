namespace Tributary.Orchestrations.Api;

/// <summary>
/// An error answer of the runs API, host-neutral. HTTP hosts render it as Problem Details (RFC 9457):
/// type, title, status (from <see cref="Outcome"/>), detail, plus the <see cref="Errors"/> of a validation failure.
/// </summary>
public sealed record ApiProblem(ApiOutcome Outcome, string Title, string Detail, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static ApiProblem BadRequest(string detail, IReadOnlyDictionary<string, string[]>? errors = null) => new(ApiOutcome.Invalid, "Invalid request", detail, errors);

    public static ApiProblem NotFound(string detail) => new(ApiOutcome.NotFound, "Not found", detail);

    public static ApiProblem Conflict(string detail) => new(ApiOutcome.Conflict, "Conflict", detail);

    public static ApiProblem TooLarge(string detail) => new(ApiOutcome.TooLarge, "Request body too large", detail);
}
