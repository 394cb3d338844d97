namespace Tributary.Orchestrations.Api;

/// <summary>
/// An error answer of the runs API, host-neutral. Hosts render it as Problem Details (RFC 9457):
/// type, title, status, detail, plus the <see cref="Errors"/> of a validation failure.
/// </summary>
public sealed record ApiProblem(int Status, string Title, string Detail, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static ApiProblem BadRequest(string detail, IReadOnlyDictionary<string, string[]>? errors = null) => new(400, "Invalid request", detail, errors);

    public static ApiProblem NotFound(string detail) => new(404, "Not found", detail);

    public static ApiProblem Conflict(string detail) => new(409, "Conflict", detail);

    public static ApiProblem TooLarge(string detail) => new(413, "Request body too large", detail);
}
